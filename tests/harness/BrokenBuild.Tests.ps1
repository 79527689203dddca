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
    function Invoke-ScratchTest([string[]] $Arguments, [string] $Name, [hashtable] $Environment = @{}) {
        $pwsh = Get-PwshCommand
        $log = Join-Path $Scratch "$Name.log"
        $run = Invoke-ChildProcess -FilePath $pwsh[0] -ArgumentList (@($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $Scratch 'build.ps1'), '-Task', 'Test', '-NoBuild') + $Arguments) `
            -LogFile $log -TimeoutSeconds 600 -WorkingDirectory $Scratch -Environment $Environment -Echo { param($l) $l -match '^(PROBLEM|FAILED|NOTE|\d+ passed|    )' }
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

    # a hang anywhere in a Pester run is stopped and named by its phase: a test, a BeforeAll, discovery, pwsh's exit
    It 'a hang in <Where>' -ForEach @(
        @{ Where = 'one test'; Name = 'Hang'; Body = "Describe 'Deliberate' { It 'returns' { 1 | Should -Be 1 }; It 'hangs' { Start-Sleep -Seconds 3600 } }"
            Expected = "'Deliberate\.hangs' hung: still running after \d+ s" }
        @{ Where = 'a BeforeAll'; Name = 'SetupHang'; Body = "Describe 'Deliberate' { BeforeAll { Start-Sleep -Seconds 3600 }; It 'never starts' { 1 | Should -Be 1 } }"
            Expected = "'BeforeAll of Deliberate' hung: still running after \d+ s" }
        @{ Where = 'discovery'; Name = 'DiscoveryHang'; Body = "Describe 'Deliberate' { Start-Sleep -Seconds 3600; It 'never found' { } }"
            Expected = "'discovery of \S+DeliberateDiscoveryHang\.Tests\.ps1' hung" }
        # an exit handler that never returns: Pester has written its results, then the process hangs at exit
        @{ Where = 'pwsh''s exit, after the results are written'; Name = 'ExitHang'
            Body = "Describe 'Deliberate' { It 'passes' { `$null = Register-EngineEvent -SourceIdentifier PowerShell.Exiting -Action { Start-Sleep -Seconds 3600 }; 1 | Should -Be 1 } }"
            Expected = "'the end of the run \(results written, pwsh exiting\)' hung"; Summary = '(?m)^1 passed, [1-9]\d* failed, 0 skipped$' }
    ) {
        Add-ScratchFile "tests/Deliberate$Name.Tests.ps1" $Body
        $r = Invoke-ScratchTest @('-Suite', 'Cmdlets', '-PesterPath', (Join-Path $Scratch "tests/Deliberate$Name.Tests.ps1"), '-HangSeconds', '15') $Name
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match "PROBLEM Pester: stopped: $Expected"
        if ($Summary) { $r.Output | Should -Match $Summary }
    }

    It 'a test marked inconclusive' {
        Add-ScratchFile 'tests/DeliberateInconclusive.Tests.ps1' "Describe 'Deliberate' { It 'runs' { 1 | Should -Be 1 }; It 'cannot say' { Set-ItResult -Inconclusive -Because 'deliberate' } }"
        $r = Invoke-ScratchTest @('-Suite', 'Cmdlets', '-PesterPath', (Join-Path $Scratch 'tests/DeliberateInconclusive.Tests.ps1')) 'inconclusive'
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match "PROBLEM Pester: 'Deliberate\.cannot say' was inconclusive"
    }

    It 'a skip judged by the block that asked for it, and only when every feature it names is missing' {
        Add-ScratchFile 'tests/DeliberateBlockSkip.Tests.ps1' @"
Describe 'Justified' -Tag 'needs:kernel-vm' -Skip { It 'inside a block skipped for a feature this host lacks' -Tag 'needs:events' { } }
Describe 'Unjustified' -Tag 'needs:events' -Skip { It 'inside a block skipped for a feature this host has' -Tag 'needs:kernel-vm' { } }
Describe 'Mixed' { It 'names one missing and one present feature' -Tag 'needs:kernel-vm', 'needs:events' -Skip { }; It 'runs' { 1 | Should -Be 1 } }
"@
        $r = Invoke-ScratchTest @('-Suite', 'Cmdlets', '-PesterPath', (Join-Path $Scratch 'tests/DeliberateBlockSkip.Tests.ps1')) 'blockskip'
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match "PROBLEM Pester: 'Unjustified\.inside a block skipped for a feature this host has' skipped although this machine has events \(the skip of 'Unjustified'\)"
        $r.Output | Should -Match "PROBLEM Pester: 'Mixed\.names one missing and one present feature' skipped although this machine has events"
        $r.Output | Should -Not -Match "PROBLEM Pester: 'Justified\."
        $r.Output | Should -Match '(?m)^1 passed, 2 failed, 1 skipped$'
    }

    It 'an xunit skip: its reason (CDATA in xunit''s XML) is read' {
        Add-ScratchFile 'tests/LinuxTrace.Engine.Tests/DeliberateSkip.cs' @'
namespace LinuxTrace.Engine.Tests;
public class DeliberateSkip
{
    [Xunit.Fact] public void LacksFeature() { Kernel.Require("kernel-vm"); }
    [Xunit.Fact] public void HasFeature() { Xunit.Assert.Skip("needs:events"); }
}
'@
        $r = Invoke-ScratchTest @('-Suite', 'Engine', '-EngineFilter', '-class *DeliberateSkip') 'xunitskip'
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match "PROBLEM xunit: 'LinuxTrace\.Engine\.Tests\.DeliberateSkip\.HasFeature' skipped although this machine has events"
        $r.Output | Should -Not -Match 'PROBLEM .*LacksFeature'
        $r.Output | Should -Match '(?m)^0 passed, 1 failed, 1 skipped$'
    }

    It 'the kernel VM left out under CI' {
        $r = Invoke-ScratchTest @('-Suite', 'KernelVM') 'ciskipvm' @{ CI = 'true'; LINUXTRACE_SKIP_KERNEL_VM = '1' }
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match 'PROBLEM kernel VM: not run: LINUXTRACE_SKIP_KERNEL_VM=1 is refused under CI'
    }

    It 'a test skipped for a feature this machine has' {
        Add-ScratchFile 'tests/DeliberateSkip.Tests.ps1' "Describe 'Deliberate' { It 'runs' { 1 | Should -Be 1 }; It 'skips' -Tag 'needs:events' -Skip { } }"
        $r = Invoke-ScratchTest @('-Suite', 'Cmdlets', '-PesterPath', (Join-Path $Scratch 'tests/DeliberateSkip.Tests.ps1')) 'skip'
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match "PROBLEM Pester: 'Deliberate\.skips' skipped although this machine has events"
    }

    It 'a failed assertion, named again at the end of the run with its error' {
        Add-ScratchFile 'tests/DeliberateFail.Tests.ps1' "Describe 'Deliberate' { It 'runs' { 1 | Should -Be 1 }; It 'fails' { 1 | Should -Be 2 } }"
        $r = Invoke-ScratchTest @('-Suite', 'Cmdlets', '-PesterPath', (Join-Path $Scratch 'tests/DeliberateFail.Tests.ps1')) 'fail'
        $r.ExitCode | Should -Not -Be 0
        # the last two lines: a CI log seen only from its end still says which test failed and why
        $r.Output.TrimEnd() | Should -Match "(?s)\nFAILED Pester 'Deliberate\.fails': Expected 2, but got 1\.\r?\n1 passed, 1 failed, 0 skipped$"
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

    It 'a guest that finds no tests' -Tag 'needs:vm-host' -Skip:(-not (Test-KernelFeature vm-host)) {
        Add-ScratchFile 'tests/kernel-vm/DeliberateEmpty.Tests.ps1' "Describe 'Deliberate' { }"
        $r = Invoke-ScratchTest @('-Suite', 'KernelVM', '-PesterPath', (Join-Path $Scratch 'tests/kernel-vm/DeliberateEmpty.Tests.ps1')) 'vmempty'
        $r.ExitCode | Should -Not -Be 0
        $r.Output | Should -Match 'PROBLEM kernel VM: Pester: no tests found'
        $r.Output | Should -Match '(?m)^0 passed, [1-9]\d* failed, 0 skipped$'
    }
}
