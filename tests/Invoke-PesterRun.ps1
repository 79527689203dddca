# Runs Pester tests in this (child) pwsh and writes what happened to a JSON file for tests/TestRunner.psm1:
# how many tests were found, passed, failed, skipped and not run, and every problem that must fail the run
# (a failed block or container, a skip this machine does not justify). While a test runs, its name and start
# time are in -CurrentTestFile, so that the parent can say which test hung or crashed the process.
param(
    [Parameter(Mandatory)] [string] $PesterModule,
    [Parameter(Mandatory)] [string[]] $Path,
    [Parameter(Mandatory)] [string] $ResultFile,
    [string] $CurrentTestFile,
    [string[]] $ExcludePath = @()
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'KernelFeatures.ps1')
Import-Module $PesterModule -Force

# Where each test and block set -Skip itself (before Pester hands a skipped block's skip down to its tests and up to
# a block whose children all skip): a skip is judged by the needs: tags of the level that asked for it.
$ownSkip = [System.Collections.Generic.HashSet[object]]::new([System.Collections.Generic.ReferenceEqualityComparer]::Instance)
[AppDomain]::CurrentDomain.SetData('LinuxTrace.OwnSkip', $ownSkip)
$plugin = @{
    ContainerDiscoveryEnd = {
        param($Context)
        $set = [AppDomain]::CurrentDomain.GetData('LinuxTrace.OwnSkip')
        $walk = { param($b) if ($b.Skip) { $null = $set.Add($b) }; foreach ($t in $b.Tests) { if ($t.Skip) { $null = $set.Add($t) } }; foreach ($c in $b.Blocks) { & $walk $c } }
        & $walk $Context.Block
    }
}
if ($CurrentTestFile) {
    # Pester has no public per-test hook outside a Describe; the plugin list it reads for its VS Code runner
    # is the one place (Pester is pinned in build.ps1, so this does not move under us). The plugin's script
    # blocks run in Pester's scopes later, so they find the writer (a closure over the file) through the AppDomain.
    # Every phase is written as it starts, "<start ms><tab><what runs>": discovery of a file, a block's BeforeAll, a
    # test, what follows a test (AfterEach, AfterAll, the next block's setup), the end of the run, so that a hang
    # anywhere is named.
    $file = $CurrentTestFile
    [AppDomain]::CurrentDomain.SetData('LinuxTrace.Phase', { param([string] $What) [IO.File]::WriteAllText($file, "$([DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds())`t$What") }.GetNewClosure())
    $plugin.ContainerDiscoveryStart = { param($Context) & ([AppDomain]::CurrentDomain.GetData('LinuxTrace.Phase')) "discovery of $($Context.BlockContainer.Item)" }
    $plugin.EachBlockSetupStart = { param($Context) & ([AppDomain]::CurrentDomain.GetData('LinuxTrace.Phase')) "BeforeAll of $($Context.Block.ExpandedPath)" }
    $plugin.EachTestSetupStart = { param($Context) & ([AppDomain]::CurrentDomain.GetData('LinuxTrace.Phase')) $Context.Test.ExpandedPath }
    $plugin.EachTestTeardownEnd = { param($Context) & ([AppDomain]::CurrentDomain.GetData('LinuxTrace.Phase')) "after $($Context.Test.ExpandedPath) (AfterEach, AfterAll or the next setup)" }
    $plugin.EachBlockTeardownEnd = { param($Context) & ([AppDomain]::CurrentDomain.GetData('LinuxTrace.Phase')) "after block $($Context.Block.ExpandedPath) (its AfterAll ended)" }
    # the results and pwsh's exit come after the run: still watched (a hang at exit is a hang too)
    $plugin.RunEnd = { param($Context) & ([AppDomain]::CurrentDomain.GetData('LinuxTrace.Phase')) 'the end of the run (results written, pwsh exiting)' }
}
& (Get-Module Pester) {
    param($plugin)
    $script:additionalPlugins = @(New-PluginObject -Name 'LinuxTraceRun' @plugin)
} $plugin

$config = New-PesterConfiguration
$config.Run.Path = @($Path | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$config.Run.ExcludePath = @($ExcludePath | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
$config.Should.ErrorAction = 'Continue'
$r = Invoke-Pester -Configuration $config

$problems = [System.Collections.Generic.List[string]]::new()
foreach ($c in $r.Containers | Where-Object { $_.ErrorRecord.Count -gt 0 }) {
    $problems.Add("Pester: $($c.Item) failed outside its tests: $(@($c.ErrorRecord | ForEach-Object { "$_" }) -join '; ')")
}
foreach ($b in $r.FailedBlocks) { $problems.Add("Pester: block '$($b.ExpandedPath)' failed in its setup or teardown: $(@($b.ErrorRecord | ForEach-Object { "$_" }) -join '; ')") }
$unjustified = 0
foreach ($t in $r.Skipped) {
    # the outermost level that asked for the skip (a Describe, a Context or the test) is judged by its own needs: tags;
    # a test that skipped itself at run time (Set-ItResult -Skipped) by the test's tags
    $levels = [System.Collections.Generic.List[object]]::new()
    for ($b = $t.Block; $b -and -not $b.IsRoot; $b = $b.Parent) { $levels.Insert(0, $b) }
    $levels.Add($t)
    $origin = @($levels | Where-Object { $ownSkip.Contains($_) }) | Select-Object -First 1
    if (-not $origin) { $origin = $t }
    $needs = @($origin.Tag | Where-Object { $_ -like 'needs:*' } | ForEach-Object { $_.Substring(6) })
    $why = Test-SkipJustified $needs
    if ($why) { $problems.Add("Pester: '$($t.ExpandedPath)' $why$(if ($origin -ne $t) { " (the skip of '$($origin.ExpandedPath)')" })"); $unjustified++ }
}
# Set-ItResult -Inconclusive: the test neither passed nor failed; a run that cannot say is not a pass
foreach ($t in $r.Inconclusive) { $problems.Add("Pester: '$($t.ExpandedPath)' was inconclusive: $(@($t.ErrorRecord | ForEach-Object { "$_" }) -join '; ')") }
if ($r.NotRunCount -gt 0) {
    $problems.Add("Pester: $($r.NotRunCount) of $($r.TotalCount) tests did not run: $(@($r.NotRun | Select-Object -First 5 | ForEach-Object ExpandedPath) -join '; ')")
}
# each failed test by name with the first line of its error, so that the end of the run's output says what failed
# (the output of a long run is often seen only from its end)
$failures = @($r.Failed | ForEach-Object {
    $first = "$(@($_.ErrorRecord | Select-Object -First 1))" -split "`n" | Select-Object -First 1
    if (-not $first) { $first = 'no error of its own: its file or block failed (PROBLEM above)' }
    "'$($_.ExpandedPath)': $(if ($first.Length -gt 300) { $first.Substring(0, 300) + '...' } else { $first })"
})
if ($r.TotalCount -eq 0) { $problems.Add("Pester: no tests found in $($config.Run.Path.Value -join ', ')") }

[ordered]@{
    Found   = $r.TotalCount
    Passed  = $r.PassedCount
    Failed  = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount + $unjustified + $r.InconclusiveCount
    Skipped = $r.SkippedCount - $unjustified
    NotRun  = $r.NotRunCount
    Problems = @($problems)
    Failures = $failures
} | ConvertTo-Json -Depth 3 | Set-Content -Path $ResultFile
exit 0
