BeforeAll { . $PSScriptRoot/Common.ps1 }

Describe 'Help' {
    $commands = (Get-Module LinuxTrace -ListAvailable:$false).ExportedCmdlets.Keys
    if (-not $commands) {
        Import-Module (Join-Path (Split-Path $PSScriptRoot -Parent) 'LinuxTrace.psd1')
        $commands = (Get-Module LinuxTrace).ExportedCmdlets.Keys
    }
    It '<_> has synopsis, syntax, description and an example' -ForEach $commands {
        $h = Get-Help $_ -Full
        $h.Synopsis | Should -Not -Match '^\s*\S+ \['   # not the auto-generated syntax line
        $h.Synopsis | Should -Not -BeNullOrEmpty
        $h.description.Text | Should -Not -BeNullOrEmpty
        $h.syntax.syntaxItem | Should -Not -BeNullOrEmpty
        @($h.examples.example).Count | Should -BeGreaterThan 0
    }
    It 'documents every parameter of <_>' -ForEach $commands {
        $cmd = Get-Command $_
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $documented = @{}
        foreach ($p in (Get-Help $_ -Full).parameters.parameter) { $documented[$p.name] = ($p.description.Text -join '') }
        foreach ($p in $cmd.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $documented[$p] | Should -Not -BeNullOrEmpty -Because "-$p of $_ needs help"
        }
    }
    It 'has an about topic' {
        (Get-Help about_LinuxTrace | Out-String) | Should -Match 'private instance'
    }
    It 'declares OutputType and uses approved verbs' -ForEach $commands {
        $cmd = Get-Command $_
        $cmd.Verb | Should -BeIn (Get-Verb).Verb
        if ($cmd.Verb -notin 'Remove') { $cmd.OutputType | Should -Not -BeNullOrEmpty }
    }
    It '<_> supports -WhatIf when it changes kernel state' -ForEach @('Set-TraceOption', 'New-TraceInstance', 'Remove-TraceInstance', 'Start-Trace', 'Stop-Trace') {
        (Get-Command $_).Parameters.ContainsKey('WhatIf') | Should -BeTrue
    }
}
