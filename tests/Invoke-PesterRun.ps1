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

if ($CurrentTestFile) {
    # Pester has no public per-test hook outside a Describe; the plugin list it reads for its VS Code runner
    # is the one place (Pester is pinned in build.ps1, so this does not move under us). The plugin's script
    # blocks run in Pester's scopes later, so the file name is written into them, not captured.
    $file = "'" + $CurrentTestFile.Replace("'", "''") + "'"
    $start = [scriptblock]::Create("param(`$Context) [IO.File]::WriteAllText($file, ""`$([DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds())``t`$(`$Context.Test.ExpandedPath)"")")
    $end = [scriptblock]::Create("param(`$Context) [IO.File]::WriteAllText($file, ""done``t`$(`$Context.Test.ExpandedPath)"")")
    & (Get-Module Pester) {
        param($start, $end)
        $script:additionalPlugins = @(New-PluginObject -Name 'LinuxTraceCurrentTest' -EachTestSetupStart $start -EachTestTeardownEnd $end)
    } $start $end
}

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
    $needs = @($t.Tag | Where-Object { $_ -like 'needs:*' } | ForEach-Object { $_.Substring(6) })
    $why = Test-SkipJustified $needs
    if ($why) { $problems.Add("Pester: '$($t.ExpandedPath)' $why"); $unjustified++ }
}
if ($r.NotRunCount -gt 0) {
    $problems.Add("Pester: $($r.NotRunCount) of $($r.TotalCount) tests did not run: $(@($r.NotRun | Select-Object -First 5 | ForEach-Object ExpandedPath) -join '; ')")
}
if ($r.TotalCount -eq 0) { $problems.Add("Pester: no tests found in $($config.Run.Path.Value -join ', ')") }

[ordered]@{
    Found   = $r.TotalCount
    Passed  = $r.PassedCount
    Failed  = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount + $unjustified
    Skipped = $r.SkippedCount - $unjustified
    NotRun  = $r.NotRunCount
    Problems = @($problems)
} | ConvertTo-Json -Depth 3 | Set-Content -Path $ResultFile
exit 0
