#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests and demonstrates LinuxTrace.
.DESCRIPTION
    -Task Build  publishes the module into bin/ (Import-Module ./LinuxTrace.psd1 then works from the repo root)
                 and generates en-US/LinuxTrace.dll-Help.xml from the built cmdlets plus the prose in src/LinuxTrace/Help.
    -Task Test   installs what the tests need (trace-cmd, Pester from NuGet), builds, runs the xunit engine tests, the
                 Pester cmdlet tests (in a child pwsh) and the kernel-VM tests (Debian's full kernel under QEMU; skip
                 them with LINUXTRACE_SKIP_KERNEL_VM=1), and ends with one line "N passed, N failed".
    -Task Demo   the main job for a new user: what this kernel allows, then a short live trace.
    -Task Bench  runs bench/ (LinuxTrace beside trace-cmd) and writes bench/results/.
    -Task KernelVM runs the kernel-VM tests (function_graph, kprobes, ...) under QEMU.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'KernelVM')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Pester tests to run (file names or tags); all when empty.
    [string[]] $PesterPath
)

$ErrorActionPreference = 'Stop'
$Root = $PSScriptRoot
$PesterVersion = '5.7.1'

function Invoke-Native([string] $File, [string[]] $Arguments) {
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

# The pwsh running this script, as a command line (the dotnet tool runs as "dotnet pwsh.dll").
function Get-PwshCommand {
    $exe = Join-Path $PSHOME 'pwsh'
    if ((Test-Path $exe) -and -not $IsWindows -and ((Get-Item $exe).UnixMode -match 'x')) { return @($exe) }
    return @('dotnet', (Join-Path $PSHOME 'pwsh.dll'))
}

function Invoke-Pwsh([string[]] $Arguments) {
    $cmd = @(Get-PwshCommand)
    $rest = @($cmd | Select-Object -Skip 1) + $Arguments
    & $cmd[0] @rest
}

function Invoke-Build {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    Invoke-Native dotnet @('publish', "$Root/src/LinuxTrace/LinuxTrace.csproj", '-c', $Configuration, '-o', "$Root/bin", '--nologo', '-v', 'q')
    # Only our assemblies belong in bin/ (System.Management.Automation comes from pwsh itself).
    Get-ChildItem "$Root/bin" -File | Where-Object { $_.Name -notmatch '^LinuxTrace' } | Remove-Item
    # MAML help: generated in a child pwsh so that this session never loads the dll it just built.
    Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', "$Root/scripts/New-MamlHelp.ps1",
        '-ModulePath', "$Root/LinuxTrace.psd1", '-ProseDirectory', "$Root/src/LinuxTrace/Help", '-OutFile', "$Root/en-US/LinuxTrace.dll-Help.xml")
    if ($LASTEXITCODE -ne 0) { throw 'Generating the MAML help failed.' }
    Write-Host ("Build: module in bin/, help in en-US/ ({0:N1} s)" -f $sw.Elapsed.TotalSeconds)
}

function Install-TestPrerequisite {
    if (-not (Get-Command trace-cmd -ErrorAction SilentlyContinue)) {
        Write-Host 'Installing trace-cmd (apt)...'
        $env:DEBIAN_FRONTEND = 'noninteractive'
        & apt-get install -y -q trace-cmd 2>&1 | Out-Null
        if ($LASTEXITCODE -ne 0) { & apt-get update -q 2>&1 | Out-Null; Invoke-Native apt-get @('install', '-y', '-q', 'trace-cmd') }
    }
    $pester = Join-Path $Root "tools/packages/pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $pester)) {
        Write-Host "Restoring Pester $PesterVersion from NuGet..."
        Invoke-Native dotnet @('restore', "$Root/tests/pester/PesterRestore.csproj", '--packages', "$Root/tools/packages", '--nologo', '-v', 'q')
    }
    return $pester
}

function Invoke-Test {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $pester = Install-TestPrerequisite
    Invoke-Build
    $out = Join-Path $Root 'out/test'
    if (Test-Path $out) { Remove-Item $out -Recurse -Force }
    New-Item -ItemType Directory -Path $out | Out-Null

    # 1. xunit: the engine
    Write-Host '--- xunit (engine) ---'
    & dotnet test "$Root/tests/LinuxTrace.Engine.Tests/LinuxTrace.Engine.Tests.csproj" -c $Configuration --nologo `
        --logger 'trx;LogFileName=engine.trx' --logger 'console;verbosity=minimal' --results-directory $out
    $xunitExit = $LASTEXITCODE
    $passed = 0; $failed = 0
    $trx = Get-ChildItem $out -Filter engine.trx -Recurse | Select-Object -First 1
    if ($trx) {
        $c = ([xml](Get-Content $trx.FullName -Raw)).TestRun.ResultSummary.Counters
        $passed += [int]$c.passed
        $failed += [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted
        Write-Host "xunit: $($c.passed) passed, $($c.failed) failed, $($c.notExecuted) skipped"
    }
    elseif ($xunitExit -ne 0) { $failed++ ; Write-Host 'xunit did not run' }

    # 2. Pester: the cmdlets, in a child pwsh
    Write-Host '--- Pester (cmdlets) ---'
    $resultFile = Join-Path $out 'pester.json'
    $paths = if ($PesterPath) { $PesterPath } else { @("$Root/tests") }
    Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', "$Root/tests/Invoke-PesterRun.ps1", '-PesterModule', $pester, '-ResultFile', $resultFile, '-Path', ($paths -join ','))
    if (Test-Path $resultFile) {
        $r = Get-Content $resultFile -Raw | ConvertFrom-Json
        $passed += $r.Passed; $failed += $r.Failed
        Write-Host "Pester: $($r.Passed) passed, $($r.Failed) failed, $($r.Skipped) skipped"
    }
    else { $failed++; Write-Host 'Pester did not report results' }

    # 3. the tests that need a full-featured kernel, in Debian's kernel under QEMU (one guest, one pwsh)
    if (-not $PesterPath -and $env:LINUXTRACE_SKIP_KERNEL_VM -ne '1') {
        Write-Host '--- kernel VM (function tracer, function_graph, kprobes: Debian kernel under QEMU) ---'
        $kvm = Join-Path $out 'kernel-vm.json'
        & bash "$Root/tests/kernel-vm/run.sh" $kvm
        if (Test-Path $kvm) {
            $r = Get-Content $kvm -Raw | ConvertFrom-Json
            $passed += $r.Passed; $failed += $r.Failed
            Write-Host "kernel VM: $($r.Passed) passed, $($r.Failed) failed, $($r.Skipped) skipped"
        }
        else { $failed++; Write-Host "kernel VM: no results (exit code $LASTEXITCODE)" }
    }

    Write-Host ("Tests took {0:N1} s" -f $sw.Elapsed.TotalSeconds)
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Demo {
    if (-not (Test-Path "$Root/bin/LinuxTrace.dll")) { Invoke-Build }
    Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', "$Root/scripts/Demo.ps1", '-ModulePath', "$Root/LinuxTrace.psd1")
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' {
        Invoke-Build
        Invoke-Pwsh @('-NoProfile', '-File', "$Root/bench/Invoke-Bench.ps1")
    }
    'KernelVM' {
        Invoke-Build
        Invoke-Native bash @("$Root/tests/kernel-vm/run.sh")
    }
}
