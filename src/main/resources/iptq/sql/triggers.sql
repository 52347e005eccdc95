-- The triggers the segments have, for a report's trigger parameter.
SELECT DISTINCT "trigger" FROM segments WHERE "trigger" IS NOT NULL ORDER BY 1
