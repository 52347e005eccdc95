-- Whether segment ? exists, and the range of segment ids there are, for a report's segment parameter.
SELECT count(*) FILTER (WHERE segment_id = ?) > 0 AS present, min(segment_id), max(segment_id) FROM segments
