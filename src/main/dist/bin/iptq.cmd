@echo off
rem iptq launcher for Windows: finds Java 17 or newer (JAVA_HOME first, then PATH) and runs iptq
rem with the JVM options Arrow needs, plus any in IPTQ_JAVA_OPTS. Arguments pass through unchanged.
setlocal
set "IPTQ_HOME=%~dp0.."
set "IPTQ_JAVA="
if defined JAVA_HOME if exist "%JAVA_HOME%\bin\java.exe" set "IPTQ_JAVA=%JAVA_HOME%\bin\java.exe"
if not defined IPTQ_JAVA for %%j in (java.exe) do set "IPTQ_JAVA=%%~$PATH:j"
if not defined IPTQ_JAVA goto :nojava

rem The version from the Java home's release file (no JVM start), else from java -version.
rem "17.0.15", "21", "1.8.0_392", "17-ea": the major version is the first number, or the second after "1.".
set "IPTQ_JVER="
for %%j in ("%IPTQ_JAVA%") do set "IPTQ_JBIN=%%~dpj"
if exist "%IPTQ_JBIN%..\release" for /f "tokens=2 delims==" %%v in ('findstr /b /c:"JAVA_VERSION=" "%IPTQ_JBIN%..\release"') do set "IPTQ_JVER=%%~v"
if not defined IPTQ_JVER for /f "tokens=3" %%v in ('call "%IPTQ_JAVA%" -version 2^>^&1 ^| findstr /i version') do set "IPTQ_JVER=%%~v"
set "IPTQ_MAJOR="
set "IPTQ_MINOR="
for /f "tokens=1,2 delims=._-+" %%a in ("%IPTQ_JVER%") do (set "IPTQ_MAJOR=%%a" & set "IPTQ_MINOR=%%b")
if "%IPTQ_MAJOR%"=="1" set "IPTQ_MAJOR=%IPTQ_MINOR%"
if not defined IPTQ_MAJOR goto :run
if %IPTQ_MAJOR% LSS 17 goto :oldjava

:run
rem ingest keeps its peak RSS within 512 MiB (docs/performance.md); IPTQ_JAVA_OPTS can override it
set "IPTQ_MEMORY="
if /i "%~1"=="ingest" set "IPTQ_MEMORY=-Xms16m -Xmx256m -XX:+UseSerialGC"
"%IPTQ_JAVA%" --add-opens=java.base/java.nio=ALL-UNNAMED %IPTQ_MEMORY% %IPTQ_JAVA_OPTS% -cp "%IPTQ_HOME%\lib\*" iptq.cli.Main %*
exit /b %ERRORLEVEL%

:nojava
echo iptq: no Java found: install Java 17 or newer (e.g. winget install EclipseAdoptium.Temurin.17.JRE) and put it on PATH or set JAVA_HOME 1>&2
exit /b 2

:oldjava
echo iptq: needs Java 17 or newer, but "%IPTQ_JAVA%" is version %IPTQ_JVER%: install a newer one and put it on PATH or set JAVA_HOME 1>&2
exit /b 2
