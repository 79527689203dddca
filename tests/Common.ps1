# Shared by the Pester tests: import the built module by path, and helpers.
$ErrorActionPreference = 'Stop'
$script:RepoRoot = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $script:RepoRoot 'LinuxTrace.psd1') -Force
$PSStyle.OutputRendering = 'PlainText'
$script:Tracefs = '/sys/kernel/tracing'

function Get-Completion([string] $InputScript) {
    (TabExpansion2 -inputScript $InputScript -cursorColumn $InputScript.Length).CompletionMatches.CompletionText
}

# Instances made by LinuxTrace sessions of this process.
function Get-OurInstance { Get-ChildItem "$script:Tracefs/instances" -Directory | Where-Object Name -like "linuxtrace-$PID-*" }

function Get-TopEnabledEvent { (Get-Content "$script:Tracefs/set_event" -Raw) -split "`n" | Where-Object { $_ } }

function New-TestInstanceName { "lt-pester-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 8))" }
