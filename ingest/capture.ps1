<#
.SYNOPSIS
    Records Intel Processor Trace with Windows Performance Recorder (WPR) and takes the dumps
    iptq needs to decode it, then prints the iptq command to run next.

.DESCRIPTION
    1. Starts WPR with an IPT profile from this folder (wpr -start PROFILE!NAME -filemode).
    2. Runs your scenario: starts -Command (with -ArgumentList) or attaches to -ProcessId, then
       waits -Seconds, or until you press Enter.
    3. Stops WPR, which writes the .etl (wpr -stop OUT.etl).
    4. Dumps the scenario's process while it is still running (procdump -ma if it is on PATH,
       else MiniDumpWriteDump from dbghelp.dll with full memory), and with -KernelDump takes a
       live kernel dump (livekd -ml if it is on PATH, else Get-StorageDiagnosticInfo
       -IncludeLiveDump, else it tells you how to take one in Task Manager).
    5. Prints the iptq ingest command for the files it wrote.

    Run it from an elevated PowerShell ("Run as administrator"): WPR's kernel session, IPT and
    live kernel dumps all need administrator rights, and so does dumping a process that runs as
    another user. The processor must support Intel PT and Windows must expose it (Windows 10
    1809 or later on an Intel CPU; not inside most virtual machines).

.PARAMETER ProfileFile
    The .wprp file. Default: IptKernelSyscallExit.wprp beside this script (kernel-mode IPT,
    4 KiB per SystemCallExit). Others here: IptKernelCSwitch.wprp, IptUserKernel.wprp; or write
    your own with: iptq profile --code-mode ... --buffer ... --event ... -o my.wprp

.PARAMETER ProfileName
    The profile's name inside the file (the part after '!'). Default: the file name without
    .wprp, which is how iptq names them.

.PARAMETER Command
    A program to start while recording (e.g. notepad.exe). Its process is the one dumped.

.PARAMETER ArgumentList
    Arguments for -Command.

.PARAMETER ProcessId
    An already running process to dump instead of starting -Command.

.PARAMETER Seconds
    Record this many seconds, then stop. Default 0: record until you press Enter.

.PARAMETER OutDir
    Where to write trace.etl and the dumps. Default: .\iptq-capture-YYYYMMDD-HHMMSS

.PARAMETER KernelDump
    Also take a live kernel dump (needed to decode kernel-mode IPT against the code as it was in
    memory; without it iptq falls back to the driver files).

.PARAMETER NoProcessDump
    Do not dump a process (for kernel-only captures).

.EXAMPLE
    .\capture.ps1 -Command notepad.exe -Seconds 10

.EXAMPLE
    .\capture.ps1 -ProfileFile .\IptUserKernel.wprp -ProcessId 4242 -KernelDump

.EXAMPLE
    Get-Help .\capture.ps1 -Full
#>
[CmdletBinding(DefaultParameterSetName = 'Start')]
param(
    [string]$ProfileFile = (Join-Path $PSScriptRoot 'IptKernelSyscallExit.wprp'),
    [string]$ProfileName = '',
    [Parameter(ParameterSetName = 'Start')]
    [string]$Command = '',
    [Parameter(ParameterSetName = 'Start')]
    [string[]]$ArgumentList = @(),
    [Parameter(ParameterSetName = 'Attach', Mandatory = $true)]
    [int]$ProcessId,
    [int]$Seconds = 0,
    [string]$OutDir = '',
    [switch]$KernelDump,
    [switch]$NoProcessDump
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

function Test-Administrator {
    $identity = [Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object Security.Principal.WindowsPrincipal($identity)
    return $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
}

function Find-Tool([string[]]$names) {
    foreach ($n in $names) {
        $c = Get-Command $n -ErrorAction SilentlyContinue
        if ($c) { return $c.Source }
    }
    return $null
}

# MiniDumpWriteDump with MiniDumpWithFullMemory: the same kind of dump as procdump -ma, with no
# extra tool. dbghelp.dll ships with Windows.
function Write-FullMiniDump([System.Diagnostics.Process]$process, [string]$path) {
    if (-not ('IptqDump' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
public static class IptqDump {
    [DllImport("dbghelp.dll", SetLastError = true)]
    static extern bool MiniDumpWriteDump(IntPtr hProcess, uint processId, SafeFileHandle hFile,
        uint dumpType, IntPtr exceptionParam, IntPtr userStreamParam, IntPtr callbackParam);
    // MiniDumpWithFullMemory | MiniDumpWithHandleData | MiniDumpWithThreadInfo
    //   | MiniDumpWithFullMemoryInfo | MiniDumpWithUnloadedModules
    const uint DumpType = 0x2 | 0x4 | 0x1000 | 0x800 | 0x20;
    public static void Write(IntPtr process, uint pid, string path) {
        using (FileStream f = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None)) {
            if (!MiniDumpWriteDump(process, pid, f.SafeFileHandle, DumpType, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero))
                throw new System.ComponentModel.Win32Exception(Marshal.GetLastWin32Error());
        }
    }
}
'@
    }
    [IptqDump]::Write($process.Handle, [uint32]$process.Id, $path)
}

function Save-ProcessDump([System.Diagnostics.Process]$process, [string]$path) {
    $procdump = Find-Tool @('procdump64.exe', 'procdump.exe')
    if ($procdump) {
        Write-Host "iptq: dumping process $($process.Id) with $procdump -ma"
        & $procdump -accepteula -ma $process.Id $path | Out-Host
        if ($LASTEXITCODE -ne 0 -and -not (Test-Path $path)) { throw "procdump failed (exit $LASTEXITCODE)" }
    } else {
        Write-Host "iptq: procdump not on PATH; dumping process $($process.Id) with MiniDumpWriteDump (full memory)"
        Write-FullMiniDump $process $path
    }
}

function Save-KernelDump([string]$dir) {
    $livekd = Find-Tool @('livekd64.exe', 'livekd.exe')
    $path = Join-Path $dir 'kernel.dmp'
    if ($livekd) {
        # -ml: a live dump through Windows' own live-dump support (Windows 8.1 and later).
        Write-Host "iptq: live kernel dump with $livekd -ml"
        & $livekd -accepteula -ml -o $path | Out-Host
        if (Test-Path $path) { return $path }
        Write-Warning "livekd wrote no dump"
    }
    $cmdlet = Get-Command Get-StorageDiagnosticInfo -ErrorAction SilentlyContinue
    if ($cmdlet) {
        Write-Host 'iptq: live kernel dump with Get-StorageDiagnosticInfo -IncludeLiveDump (this can take minutes)'
        $sub = Get-StorageSubSystem | Select-Object -First 1
        $diag = Join-Path $dir 'storage-diagnostics'
        Get-StorageDiagnosticInfo -StorageSubSystemFriendlyName $sub.FriendlyName `
            -IncludeLiveDump -DestinationPath $diag | Out-Null
        $found = Get-ChildItem -Path $diag -Recurse -Filter '*.dmp' -ErrorAction SilentlyContinue |
            Sort-Object Length -Descending | Select-Object -First 1
        if ($found) {
            Move-Item $found.FullName $path
            return $path
        }
        Write-Warning 'Get-StorageDiagnosticInfo wrote no .dmp file'
    }
    Write-Warning @"
No live kernel dump was taken automatically. Take one by hand now (Windows 11 22H2 build
22621.1992 or later): Task Manager > Details > right-click 'System' >
'Create live kernel memory dump file' > 'Full live kernel memory dump'. Task Manager says where
it wrote the file; add it to the iptq command below with --dump FILE.
"@
    return $null
}

# ---- checks ---------------------------------------------------------------------------------------

if (-not (Test-Administrator)) {
    throw 'Run this from an elevated PowerShell (Run as administrator): WPR kernel tracing and IPT need it.'
}
if (-not (Get-Command wpr.exe -ErrorAction SilentlyContinue)) {
    throw 'wpr.exe not found: it ships with Windows 10 and later (System32) and with the Windows Performance Toolkit.'
}
$ProfileFile = (Resolve-Path -LiteralPath $ProfileFile).Path
if (-not $ProfileName) { $ProfileName = [IO.Path]::GetFileNameWithoutExtension($ProfileFile) }
if (-not $OutDir) { $OutDir = Join-Path (Get-Location) ('iptq-capture-' + (Get-Date -Format 'yyyyMMdd-HHmmss')) }
New-Item -ItemType Directory -Force -Path $OutDir | Out-Null
$OutDir = (Resolve-Path -LiteralPath $OutDir).Path
$etl = Join-Path $OutDir 'trace.etl'

# ---- record ---------------------------------------------------------------------------------------

Write-Host "iptq: starting WPR with $ProfileFile!$ProfileName"
& wpr.exe -start "$ProfileFile!$ProfileName" -filemode
if ($LASTEXITCODE -ne 0) {
    throw "wpr -start failed (exit $LASTEXITCODE). If another WPR session runs, stop it with: wpr -cancel"
}

$target = $null
$stopped = $false
try {
    if ($PSCmdlet.ParameterSetName -eq 'Attach') {
        $target = Get-Process -Id $ProcessId
    } elseif ($Command) {
        $startArgs = @{ FilePath = $Command; PassThru = $true }
        if ($ArgumentList.Count -gt 0) { $startArgs.ArgumentList = $ArgumentList }
        $target = Start-Process @startArgs
        Write-Host "iptq: started $Command as process $($target.Id)"
    }
    if ($Seconds -gt 0) {
        Write-Host "iptq: recording for $Seconds s"
        Start-Sleep -Seconds $Seconds
    } else {
        Read-Host 'iptq: recording; run your scenario, then press Enter to stop' | Out-Null
    }
    Write-Host "iptq: stopping WPR, writing $etl"
    & wpr.exe -stop $etl
    $stopped = $true
    if ($LASTEXITCODE -ne 0) { throw "wpr -stop failed (exit $LASTEXITCODE)" }
} finally {
    if (-not $stopped) {
        Write-Warning 'cancelling the WPR session'
        & wpr.exe -cancel | Out-Null
    }
}

# ---- dumps: after the trace, while the process still runs, so its code is still mapped --------------

$dumpArgs = @()
if (-not $NoProcessDump -and $target) {
    $target.Refresh()
    if ($target.HasExited) {
        Write-Warning "process $($target.Id) has exited: no process dump (iptq will need the PE files: --image-path)"
    } else {
        $dmp = Join-Path $OutDir ("process-{0}.dmp" -f $target.Id)
        Save-ProcessDump $target $dmp
        $dumpArgs += "--dump `"$dmp`""
    }
}
if ($KernelDump) {
    $kdmp = Save-KernelDump $OutDir
    if ($kdmp) { $dumpArgs += "--dump `"$kdmp`"" }
}

# ---- next step ------------------------------------------------------------------------------------

$db = Join-Path $OutDir 'trace.duckdb'
$next = (@("iptq ingest `"$etl`"") + $dumpArgs + @("-o `"$db`"")) -join ' '
Write-Host ''
Write-Host 'iptq: done. Copy the folder to the machine with iptq (any OS) and run:'
Write-Host "  $next"
Write-Host '  iptq report functions-before trace.duckdb'
Write-Host '(add --image-path DIR with copies of the drivers and DLLs, and --symbols DIR with their PDBs, if you have them)'
