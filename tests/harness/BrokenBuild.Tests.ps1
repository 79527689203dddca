# The test run must not lie: each deliberately broken build below, made in a scratch copy of the repository (never
# the real tree), must make `build.ps1 -Task Test` exit non-zero with a line that says what happened.
BeforeDiscovery { . (Join-Path (Split-Path $PSScriptRoot -Parent) 'KernelFeatures.ps1') }
BeforeAll {
    $script:RepoRoot = Split-Path (Split-Path $PSScriptRoot -Parent) -Parent
    $script:Scratch = Join-Path ([IO.Path]::GetTempPath()) "linuxtrace-harness-$PID"
    if (Test-Path $Scratch) { Remove-Item $Scratch -Recurse -Force }
    New-Item -ItemType Directory -Path $Scratch | Out-Null
    # the tracked and new files of the working tree, the built module, and the restored Pester (shared, read-only use)
    $files = & git -C $RepoRoot ls-files -co --exclude-standard
    foreach ($f in $files) {
        $dest = Join-Path $Scratch $f
        New-Item -ItemType Directory -Path (Split-Path $dest -Parent) -Force | Out-Null
        Copy-Item -LiteralPath (Join-Path $RepoRoot $f) -Destination $dest
    }
    Copy-Item -Recurse (Join-Path $RepoRoot 'bin') (Join-Path $Scratch 'bin')
    Copy-Item -Recurse (Join-Path $RepoRoot 'en-US') (Join-Path $Scratch 'en-US') -Force
    New-Item -ItemType SymbolicLink -Path (Join-Path $Scratch 'tools') -Target (Join-Path $RepoRoot 'tools') | Out-Null
    Import-Module (Join-Path $RepoRoot 'tests/TestRunner.psm1') -Force

    # Runs the scratch copy's test task and returns its exit code and output.
    function Invoke-ScratchTest([string[]] $Arguments, [string] $Name) {
        $pwsh = Get-PwshCommand
        $log = Join-Path $Scratch "$Name.log"
        $run = Invoke-ChildProcess -FilePath $pwsh[0] -ArgumentList (@($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Scratch 'build.ps1'), '-Task', 'Test', '-NoBuild') + $Arguments) `
            -LogFile $log -TimeoutSeconds 600 -WorkingDirectory $Scratch -Echo { param($l) $l -match '^(PROBLEM|NOTE|\d+ passed|    )' }
        [pscustomobject]@{ ExitCode = $run.ExitCode; Output = Get-Content $log -Raw; Killed = $run.Killed }
    }
    function Add-ScratchFile([string] $Path, [string] $Text) { Set-Content -LiteralPath (Join-Path $Scratch $Path) -Value $Text }
}
AfterAll {
    if ($Scratch -and (Test-Path $Scratch)) { Remove-Item $Scratch -Recurse -Force }
}

Describe 'A broken build fails the test run' {
    It 'a test process that crashes' {
        Add-ScratchFile 'tests/LinuxTrace.Engine.Tests/DeliberateCrash.cs' @'
namespace LinuxTrace.Engine.Tests;
public class DeliberateCrash
{
    [Xunit.Fact] public void Passes() { }
    [Xunit.Fact] public void Crashes() { System.Environment.FailFast("deliberate crash (tests/harness)"); }
}
'@
        $r = Invoke-ScratchTest @('-Suite', 'Engine', '-EngineFilter', '-class *DeliberateCrash') 'crash'
        $r.Killed | Should -BeFalse
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match "PROBLEM xunit: the test process crashed \(exit code \d+\) while running 'LinuxTrace\.Engine\.Tests\.DeliberateCrash\.Crashes'"
        $r.Output | Should -Match '(?m)^\d+ passed, [1-9]\d* failed, \d+ skipped$'
    }

    It 'a hang in one test' {
        Add-ScratchFile 'tests/DeliberateHang.Tests.ps1' "Describe 'Deliberate' { It 'returns' { 1 | Should -Be 1 }; It 'hangs' { Start-Sleep -Seconds 3600 } }"
        $r = Invoke-ScratchTest @('-Suite', 'Cmdlets', '-PesterPath', (Join-Path $Scratch 'tests/DeliberateHang.Tests.ps1'), '-HangSeconds', '15') 'hang'
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match "PROBLEM Pester: stopped: test 'Deliberate\.hangs' hung: still running after \d+ s"
    }

    It 'a test skipped for a feature this machine has' {
        Add-ScratchFile 'tests/DeliberateSkip.Tests.ps1' "Describe 'Deliberate' { It 'runs' { 1 | Should -Be 1 }; It 'skips' -Tag 'needs:events' -Skip { } }"
        $r = Invoke-ScratchTest @('-Suite', 'Cmdlets', '-PesterPath', (Join-Path $Scratch 'tests/DeliberateSkip.Tests.ps1')) 'skip'
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match "PROBLEM Pester: 'Deliberate\.skips' skipped although this machine has events"
    }

    It 'a run that finds no tests' {
        Add-ScratchFile 'tests/DeliberateEmpty.Tests.ps1' "Describe 'Deliberate' { }"
        $r = Invoke-ScratchTest @('-Suite', 'Cmdlets', '-PesterPath', (Join-Path $Scratch 'tests/DeliberateEmpty.Tests.ps1')) 'empty'
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match 'PROBLEM Pester: no tests found'
    }

    It 'a kernel Oops in the VM guest while the tests run' -Tag 'needs:vm-host' -Skip:(-not (Test-KernelFeature vm-host)) {
        Add-ScratchFile 'tests/kernel-vm/DeliberateOops.Tests.ps1' @'
Describe 'Deliberate' {
    It 'makes the kernel log an Oops' {
        # the kernel's own words for an oops, at KERN_ALERT, as the host reads them from the guest's kernel log
        [IO.File]::WriteAllText('/dev/kmsg', "<1>Oops: 0002 [#1] PREEMPT SMP NOPTI (deliberate, tests/harness)`n")
        1 | Should -Be 1
    }
}
'@
        $r = Invoke-ScratchTest @('-Suite', 'KernelVM', '-PesterPath', (Join-Path $Scratch 'tests/kernel-vm/DeliberateOops.Tests.ps1')) 'oops'
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match 'PROBLEM kernel VM: the guest kernel logged trouble while the tests ran:\s+\[\s*[\d.]+\] Oops: 0002'
    }
}
