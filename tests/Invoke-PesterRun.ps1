# Runs the Pester tests in this (child) pwsh and writes the counts to a JSON file for build.ps1.
param(
    [Parameter(Mandatory)] [string] $PesterModule,
    [Parameter(Mandatory)] [string[]] $Path,
    [Parameter(Mandatory)] [string] $ResultFile
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterModule -Force
$config = New-PesterConfiguration
$config.Run.Path = @($Path | ForEach-Object { $_ -split ',' })
$config.Run.PassThru = $true
# the kernel-VM tests run inside the VM (tests/kernel-vm/run.sh), not in the host's pass over tests/
if (-not $env:KVM_GUEST) { $config.Run.ExcludePath = @(Join-Path $PSScriptRoot 'kernel-vm' '*') }
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
$config.Should.ErrorAction = 'Continue'
$r = Invoke-Pester -Configuration $config
@{ Passed = $r.PassedCount; Failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount; Skipped = $r.SkippedCount } |
    ConvertTo-Json | Set-Content -Path $ResultFile
exit 0
