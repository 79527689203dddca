# The module as a user installs it: build.ps1 -Task Package makes a .nupkg of the module's own files, which
# Publish-PSResource puts into a local file repository and Install-PSResource installs into a clean pwsh (a HOME of
# its own, so that the user's modules and repositories are not touched), where it imports by name and runs.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Pwsh = Get-PwshCommand
    # runs a script in a new pwsh whose HOME (and so its user module path and PSResourceGet's settings) is $UserHome
    function Invoke-CleanPwsh([string] $Script, [string] $UserHome) {
        $env:HOME, $env:XDG_DATA_HOME, $env:XDG_CONFIG_HOME, $saved = $UserHome, "$UserHome/.local/share", "$UserHome/.config", @($env:HOME, $env:XDG_DATA_HOME, $env:XDG_CONFIG_HOME)
        # (in that HOME too: PSResourceGet leaves NuGet/ and PSResourceGet/ folders in the working directory)
        Push-Location $UserHome
        try { $out = & $Pwsh[0] @($Pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $Script 2>&1 }
        finally { Pop-Location; $env:HOME, $env:XDG_DATA_HOME, $env:XDG_CONFIG_HOME = $saved }
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($out | ForEach-Object { "$_" }) }
    }
}

Describe 'The installable module' {
    It 'packs only the module, which Publish-PSResource and Install-PSResource take, and which then runs' {
        & $Pwsh[0] @($Pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $RepoRoot 'build.ps1') -Task Package -NoBuild | Out-Null
        $LASTEXITCODE | Should -Be 0
        $nupkg = @(Get-ChildItem (Join-Path $RepoRoot 'out/package') -Filter 'LinuxTrace.*.nupkg')
        $nupkg.Count | Should -Be 1
        # only the module's own files
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($nupkg[0].FullName)
        try { $entries = @($zip.Entries.FullName) } finally { $zip.Dispose() }
        $entries | Should -Contain 'LinuxTrace.psd1'
        $entries | Should -Contain 'bin/LinuxTrace.dll'
        $entries | Should -Contain 'en-US/LinuxTrace.dll-Help.xml'
        $entries | Should -Contain 'LICENSE'
        @($entries | Where-Object { $_ -match '^(src|tests|bench|scripts|docs|tools|out)/|\.pdb$|\.cs$' }).Count | Should -Be 0
        $manifest = Import-PowerShellDataFile (Join-Path $RepoRoot 'LinuxTrace.psd1')
        $manifest.PrivateData.PSData.LicenseUri | Should -Match '^https://'
        $manifest.PrivateData.PSData.ProjectUri | Should -BeNullOrEmpty -Because 'there is no real project page to point at'
        $manifest.PrivateData.PSData.ReleaseNotes | Should -Match 'seconds'
        $manifest.Description | Should -Match 'x64'

        $userHome = Join-Path $TestDrive 'home'
        $repo = Join-Path $TestDrive 'repo'
        New-Item -ItemType Directory -Path $userHome, $repo | Out-Null
        $stage = Join-Path $RepoRoot 'out/package/LinuxTrace'
        $r = Invoke-CleanPwsh -UserHome $userHome -Script @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name lt-local -Uri '$repo' -Trusted
Publish-PSResource -Path '$stage' -Repository lt-local
Install-PSResource -Name LinuxTrace -Repository lt-local -Scope CurrentUser -TrustRepository
'installed: ' + (Get-InstalledPSResource -Name LinuxTrace).InstalledLocation
"@
        $r.ExitCode | Should -Be 0 -Because ($r.Output -join "`n")
        @(Get-ChildItem $repo -Filter 'linuxtrace*.nupkg').Count | Should -Be 1 -Because 'Publish-PSResource wrote it into the file repository'
        # a clean pwsh finds it by name, in the user module path of that HOME, and it runs
        $r = Invoke-CleanPwsh -UserHome $userHome -Script "Import-Module LinuxTrace -ErrorAction Stop; (Get-Module LinuxTrace).ModuleBase; @(Get-TraceCapability).Count; (Get-Help Start-Trace).Synopsis"
        $r.ExitCode | Should -Be 0 -Because ($r.Output -join "`n")
        $r.Output[0] | Should -BeLike "$userHome/*"
        [int]$r.Output[1] | Should -BeGreaterThan 3
        $r.Output[2] | Should -Match 'trace'
        @(Get-ChildItem $RepoRoot -Directory -Name | Where-Object { $_ -in 'NuGet', 'PSResourceGet' }).Count | Should -Be 0 -Because 'nothing is left in the repository'
    }
}
