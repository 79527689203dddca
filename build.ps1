#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests and demonstrates LinuxTrace.
.DESCRIPTION
    -Task Build  publishes the module into bin/ (Import-Module ./LinuxTrace.psd1 then works from the repo root)
                 and generates en-US/LinuxTrace.dll-Help.xml from the built cmdlets plus the prose in src/LinuxTrace/Help.
    -Task Test   installs what the tests need (Debian packages, Pester from NuGet), builds, and runs every suite
                 (tests/TestRunner.psm1): the engine's xunit program, the cmdlets' Pester tests in a child pwsh, the
                 kernel-VM tests (Debian's full kernel under QEMU; LINUXTRACE_SKIP_KERNEL_VM=1 skips them) and the
                 harness checks (deliberately broken builds must fail). Every step has a deadline; a crash, a hang (the
                 test is named), fewer tests run than found, an unjustified skip or kernel trouble in the guest fails
                 the run. Ends with one line "N passed, N failed, N skipped"; the exit code is 0 only for a clean run.
    -Task Demo   the main job for a new user: what this kernel allows, then a short live trace (-KernelVM: in
                 Debian's full kernel under QEMU, with the function_graph walkthrough; -Fleet: one trace on this
                 machine and the kernel VM at once over SSH remoting, merged on one timeline).
    -Task Bench  runs bench/ (LinuxTrace beside trace-cmd) and writes bench/results/.
    -Task KernelVM runs only the kernel-VM tests.
    -Task Package builds the module and writes out/package/LinuxTrace.<version>.nupkg holding the module only (manifest,
                 formats, bin/, en-US/, LICENSE), for Publish-PSResource / Install-PSResource from a repository.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'KernelVM', 'Package')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Suites of -Task Test (all by default): Engine, Cmdlets, KernelVM, Harness (a list, or one comma-separated string).
    [string[]] $Suite = @('Engine', 'Cmdlets', 'KernelVM', 'Harness'),
    # Pester test files to run instead of tests/*.Tests.ps1 (Cmdlets), or instead of tests/kernel-vm (KernelVM).
    [string[]] $PesterPath,
    # xunit filter arguments for the engine suite, space-separated (e.g. '-class *TraceDat*').
    [string] $EngineFilter = '',
    # A test (or a block's setup, or discovery) running longer than this is stopped and the run fails, naming it.
    [int] $HangSeconds = 300,
    # The whole test run's deadline: a suite still running then is stopped, one not yet begun is not started; both fail.
    [int] $DeadlineMinutes = 60,
    # Use the module already in bin/ instead of building it.
    [switch] $NoBuild,
    # -Task Demo: run the demo in Debian's full kernel under QEMU (tests/kernel-vm), where function_graph exists.
    [switch] $KernelVM,
    # -Task Demo: the two-host demo, one trace on this machine and on the kernel VM at once, merged on one timeline.
    [switch] $Fleet
)

$ErrorActionPreference = 'Stop'
$Root = $PSScriptRoot
$Suite = @($Suite -split ',' | ForEach-Object Trim | Where-Object { $_ })
foreach ($s in $Suite) { if ($s -notin 'Engine', 'Cmdlets', 'KernelVM', 'Harness') { throw "Unknown suite '$s': Engine, Cmdlets, KernelVM or Harness." } }
$PesterPath = @($PesterPath -split ',' | Where-Object { $_ })
$PesterVersion = '5.7.1'
# openssh-server: the fleet tests run sshd in network namespaces of this machine (never as the system's service)
$TestPackages = @('trace-cmd', 'stress-ng', 'systemtap-sdt-dev', 'gcc', 'libc6-dev', 'openssh-server', 'iproute2')
# a real browser draws the flame graph in one test; without it that test is skipped (justified), never the run failed
$OptionalTestPackages = @('chromium')

function Invoke-Native([string] $File, [string[]] $Arguments) {
    & $File @Arguments | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Pwsh([string[]] $Arguments) {
    Import-Module (Join-Path $Root 'tests/TestRunner.psm1')
    $cmd = @(Get-PwshCommand)
    $rest = @($cmd | Select-Object -Skip 1) + $Arguments
    & $cmd[0] @rest
}

function Invoke-Build {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    # ReadyToRun: the engine's code is compiled ahead for this architecture, so that the first trace read in a fresh
    # pwsh does not wait for the JIT (the JIT still optimizes hot paths later)
    $rid = 'linux-' + [Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString().ToLowerInvariant()
    Invoke-Native dotnet @('publish', "$Root/src/LinuxTrace/LinuxTrace.csproj", '-c', $Configuration, '-o', "$Root/bin", '--nologo', '-v', 'q',
        '-r', $rid, '--self-contained', 'false', '-p:PublishReadyToRun=true')
    # Only our assemblies and native drainer belong in bin/ (System.Management.Automation comes from pwsh itself).
    Get-ChildItem "$Root/bin" -File | Where-Object { $_.Name -notmatch '^(LinuxTrace|liblinuxtrace)' } | Remove-Item
    # MAML help: generated in a child pwsh so that this session never loads the dll it just built.
    Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', "$Root/scripts/New-MamlHelp.ps1",
        '-ModulePath', "$Root/LinuxTrace.psd1", '-ProseDirectory', "$Root/src/LinuxTrace/Help", '-OutFile', "$Root/en-US/LinuxTrace.dll-Help.xml")
    if ($LASTEXITCODE -ne 0) { throw 'Generating the MAML help failed.' }
    Write-Host ("Build: module in bin/, help in en-US/ ({0:N1} s)" -f $sw.Elapsed.TotalSeconds)
}

# Debian packages and Pester; returns the path of Pester's module manifest.
function Install-TestPrerequisite {
    $missing = @($TestPackages | Where-Object { -not ((& dpkg-query -W -f='${Status}' $_ 2>$null) -match 'ok installed') })
    if ($missing) {
        Write-Host "Installing $($missing -join ', ') (apt)..."
        $env:DEBIAN_FRONTEND = 'noninteractive'
        & apt-get install -y -q @missing 2>&1 | Out-Null
        if ($LASTEXITCODE -ne 0) {
            & apt-get update -q 2>&1 | Out-Null
            Invoke-Native apt-get (@('install', '-y', '-q') + $missing)
        }
        # installed for the tests' own sshd in network namespaces: the package's system service must not listen
        if ($missing -contains 'openssh-server' -and (Get-Command systemctl -ErrorAction SilentlyContinue)) {
            & systemctl disable --now ssh.service ssh.socket 2>&1 | Out-Null
        }
    }
    $optional = @($OptionalTestPackages | Where-Object { -not ((& dpkg-query -W -f='${Status}' $_ 2>$null) -match 'ok installed') })
    if ($optional) {
        Write-Host "Installing $($optional -join ', ') (apt, optional)..."
        $env:DEBIAN_FRONTEND = 'noninteractive'
        & apt-get install -y -q --no-install-recommends @optional 2>&1 | Out-Null
        if ($LASTEXITCODE -ne 0) { Write-Host "Could not install $($optional -join ', '): the tests that need it are skipped." }
    }
    if (-not (Test-Path /sys/kernel/tracing/events)) { Invoke-Native mount @('-t', 'tracefs', 'nodev', '/sys/kernel/tracing') }
    $pester = Join-Path $Root "tools/packages/pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $pester)) {
        Write-Host "Restoring Pester $PesterVersion from NuGet..."
        Invoke-Native dotnet @('restore', "$Root/tests/pester/PesterRestore.csproj", '--packages', "$Root/tools/packages", '--nologo', '-v', 'q')
    }
    return $pester
}

function Invoke-Test {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    Import-Module (Join-Path $Root 'tests/TestRunner.psm1') -Force
    $pester = Install-TestPrerequisite
    if (-not $NoBuild) { Invoke-Build }
    $out = Join-Path $Root 'out/test'
    if (Test-Path $out) { Remove-Item $out -Recurse -Force }
    New-Item -ItemType Directory -Path $out | Out-Null
    $results = [System.Collections.Generic.List[object]]::new()
    $deadline = [datetime]::UtcNow.AddMinutes($DeadlineMinutes)
    # seconds a suite may take: its own limit, or what is left of the run's; 0 when the run's deadline has passed
    function Get-SuiteSeconds([int] $Own) { [int][Math]::Min($Own, [Math]::Max(0, ($deadline - [datetime]::UtcNow).TotalSeconds)) }
    function Test-SuiteTime([string] $Name, [int] $Own) {
        if ((Get-SuiteSeconds $Own) -gt 0) { return $true }
        $r = New-SuiteResult $Name
        Add-Problem $r "not run: the test run's deadline ($DeadlineMinutes min) passed before it began"
        $results.Add($r)
        $false
    }

    if ('Engine' -in $Suite) {
        Write-Host '--- xunit (engine) ---'
        Invoke-Native dotnet @('build', "$Root/tests/LinuxTrace.Engine.Tests/LinuxTrace.Engine.Tests.csproj", '-c', $Configuration, '--nologo', '-v', 'q')
        $dll = "$Root/tests/LinuxTrace.Engine.Tests/bin/$Configuration/net10.0/LinuxTrace.Engine.Tests.dll"
        if (Test-SuiteTime 'xunit' 900) {
            $results.Add((Invoke-EngineSuite -TestDll $dll -OutDir $out -HangSeconds $HangSeconds -TimeoutSeconds (Get-SuiteSeconds 900) -Filter @($EngineFilter -split ' ' | Where-Object { $_ })))
        }
    }
    if ('Cmdlets' -in $Suite) {
        Write-Host '--- Pester (cmdlets) ---'
        $unrest = @(Get-TracingUnrest)
        if ($unrest) { Write-Host "NOTE this host's tracing is not at rest (the tests compare the kernel with what they find): $($unrest -join '; ')" }
        $paths = if ($PesterPath -and 'KernelVM' -notin $Suite) { $PesterPath } else { @("$Root/tests") }
        if (Test-SuiteTime 'Pester' 1500) {
            $pesterResult = Invoke-PesterSuite -PesterModule $pester -Path $paths -ExcludePath @("$Root/tests/kernel-vm/*", "$Root/tests/harness/*") -OutDir $out -HangSeconds $HangSeconds -TimeoutSeconds (Get-SuiteSeconds 1500)
            if ($unrest) { $pesterResult.Notes.Add("the host's tracing was not at rest when the cmdlet tests began: $($unrest -join '; ')") }
            $results.Add($pesterResult)
        }
    }
    if ('KernelVM' -in $Suite -and $env:LINUXTRACE_SKIP_KERNEL_VM -eq '1') {
        # function, function_graph, kprobes and hist triggers are tested only in the kernel VM: CI never goes green without it
        $r = New-SuiteResult 'kernel VM'
        if ($env:CI -eq 'true') { Add-Problem $r 'not run: LINUXTRACE_SKIP_KERNEL_VM=1 is refused under CI (the function tracers, kprobes and hist triggers are tested only there)' }
        else { $r.Notes.Add('kernel VM: left out (LINUXTRACE_SKIP_KERNEL_VM=1): the function tracers, kprobes and hist triggers were not tested') }
        $results.Add($r)
    }
    elseif ('KernelVM' -in $Suite) {
        Write-Host '--- kernel VM (function tracer, function_graph, kprobes: Debian kernel under QEMU) ---'
        $vmPaths = if ($PesterPath -and 'Cmdlets' -notin $Suite) { $PesterPath } else { @() }
        if (Test-SuiteTime 'kernel VM' 1200) {
            # the guest's tests, then (in the same boot) the two-kernel fleet tests run here against the guest
            foreach ($r in @(Invoke-KernelVmSuite -Root $Root -PesterModule $pester -OutDir $out -Path $vmPaths -HangSeconds $HangSeconds -TimeoutSeconds (Get-SuiteSeconds 1200))) { $results.Add($r) }
            Write-Host '--- kernel VM files, read on the host (trace-cmd report beside LinuxTrace) ---'
            if (Test-SuiteTime 'kernel VM files' 600) {
                $results.Add((Invoke-KernelVmFileSuite -Root $Root -PesterModule $pester -OutDir $out -Path $vmPaths -HangSeconds $HangSeconds))
            }
        }
    }
    if ('Harness' -in $Suite) {
        Write-Host '--- harness (deliberately broken builds must fail the run) ---'
        if (Test-SuiteTime 'harness' 1500) {
            $results.Add((Invoke-PesterSuite -PesterModule $pester -Path @("$Root/tests/harness") -OutDir $out -Name 'harness' -HangSeconds 900 -TimeoutSeconds (Get-SuiteSeconds 1500)))
        }
    }

    Write-Host ("Tests took {0:N1} s" -f $sw.Elapsed.TotalSeconds)
    if (-not (Write-TestSummary $results)) { exit 1 }
}

function Invoke-Demo {
    if (-not (Test-Path "$Root/bin/LinuxTrace.dll")) { Invoke-Build }
    if ($Fleet) {
        Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', "$Root/scripts/FleetDemo.ps1", '-ModulePath', "$Root/LinuxTrace.psd1")
    }
    elseif ($KernelVM) {
        # the guest sees this machine's files; one pwsh there runs the same demo (TCG: a few minutes)
        & "$Root/tests/kernel-vm/kernel-vm.sh" --timeout 900 --mem 3G --cpus 2 -- dotnet pwsh -NoProfile -NonInteractive -File "$Root/scripts/Demo.ps1" -ModulePath "$Root/LinuxTrace.psd1"
    }
    else {
        Invoke-Pwsh @('-NoProfile', '-NonInteractive', '-File', "$Root/scripts/Demo.ps1", '-ModulePath', "$Root/LinuxTrace.psd1")
    }
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

# The module as a user installs it: a staging folder with the module's own files only, packed as a .nupkg.
function Invoke-Package {
    if (-not $NoBuild) { Invoke-Build }
    $stage = Join-Path $Root 'out/package/LinuxTrace'
    if (Test-Path (Split-Path $stage)) { Remove-Item (Split-Path $stage) -Recurse -Force }
    New-Item -ItemType Directory -Path $stage | Out-Null
    Copy-Item (Join-Path $Root 'LinuxTrace.psd1'), (Join-Path $Root 'LinuxTrace.Format.ps1xml'), (Join-Path $Root 'LICENSE') $stage
    Copy-Item (Join-Path $Root 'bin') (Join-Path $stage 'bin') -Recurse
    Copy-Item (Join-Path $Root 'en-US') (Join-Path $stage 'en-US') -Recurse
    Get-ChildItem $stage -Recurse -Filter '*.pdb' | Remove-Item
    Import-Module Microsoft.PowerShell.PSResourceGet
    Compress-PSResource -Path $stage -DestinationPath (Split-Path $stage)
    $nupkg = Get-ChildItem (Split-Path $stage) -Filter '*.nupkg' | Select-Object -First 1
    if (-not $nupkg) { throw 'Compress-PSResource wrote no .nupkg' }
    Write-Host "Package: $($nupkg.FullName)"
    $nupkg
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' {
        Invoke-Build
        Invoke-Pwsh @('-NoProfile', '-File', "$Root/bench/Invoke-Bench.ps1")
    }
    'KernelVM' { $Suite = @('KernelVM'); Invoke-Test }
    'Package' { Invoke-Package | Out-Null }
}
