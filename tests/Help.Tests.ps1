BeforeDiscovery {
    Import-Module (Join-Path (Split-Path $PSScriptRoot -Parent) 'LinuxTrace.psd1') -Force
    $script:Commands = @((Get-Module LinuxTrace).ExportedCmdlets.Keys | Sort-Object)
}
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Maml = [xml](Get-Content (Join-Path $RepoRoot 'en-US/LinuxTrace.dll-Help.xml') -Raw)
    $script:Ns = [System.Xml.XmlNamespaceManager]::new($Maml.NameTable)
    $Ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
    $Ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
    $Ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
    $script:Common = [System.Management.Automation.PSCmdlet]::CommonParameters
    function Get-MamlCommand([string] $Name) { $Maml.SelectSingleNode("//command:command[command:details/command:name='$Name']", $Ns) }
}

Describe 'Help' {
    It '<_> has a synopsis of its own, a description and an example in its MAML help' -ForEach $Commands {
        $m = Get-MamlCommand $_
        $m | Should -Not -BeNullOrEmpty -Because "en-US/LinuxTrace.dll-Help.xml has an entry for $_"
        $h = Get-Help $_ -Full
        $h.Synopsis | Should -Be $m.SelectSingleNode('command:details/maml:description/maml:para', $Ns).InnerText -Because 'Get-Help reads the MAML file'
        $h.Synopsis | Should -Not -Match "^\s*$_ " -Because 'not the syntax line Get-Help makes up without help'
        $h.description.Text | Should -Not -BeNullOrEmpty
        @($h.examples.example).Count | Should -BeGreaterThan 0
        foreach ($ex in $h.examples.example) { $ex.code | Should -Match ([regex]::Escape($_)) -Because 'each example uses the cmdlet it documents' }
    }
    It 'gives <_> one syntax block per parameter set, with exactly that set''s parameters' -ForEach $Commands {
        $cmd = Get-Command $_
        $items = @($Maml.SelectNodes("//command:command[command:details/command:name='$_']/command:syntax/command:syntaxItem", $Ns))
        $items.Count | Should -Be $cmd.ParameterSets.Count
        $documented = @($items | ForEach-Object { (@($_.SelectNodes('command:parameter/maml:name', $Ns)).InnerText | Sort-Object) -join ',' }) | Sort-Object
        $actual = @($cmd.ParameterSets | ForEach-Object { (@($_.Parameters.Name | Where-Object { $_ -notin $Common }) | Sort-Object) -join ',' }) | Sort-Object
        $documented | Should -Be $actual
    }
    It 'documents every parameter of <_>' -ForEach $Commands {
        $cmd = Get-Command $_
        $documented = @{}
        foreach ($p in (Get-Help $_ -Full).parameters.parameter) { $documented[$p.name] = ($p.description.Text -join '') }
        foreach ($p in $cmd.Parameters.Keys | Where-Object { $_ -notin $Common }) {
            $documented[$p] | Should -Not -BeNullOrEmpty -Because "-$p of $_ needs help"
        }
    }
    It 'documents -WhatIf and -Confirm of <_> in its syntax and parameters' -ForEach ($Commands | Where-Object { (Get-Command $_).Parameters.ContainsKey('WhatIf') }) {
        $m = Get-MamlCommand $_
        foreach ($item in $m.SelectNodes('command:syntax/command:syntaxItem', $Ns)) {
            @($item.SelectNodes('command:parameter/maml:name', $Ns)).InnerText | Should -Contain 'WhatIf'
            @($item.SelectNodes('command:parameter/maml:name', $Ns)).InnerText | Should -Contain 'Confirm'
        }
        ((Get-Help $_ -Parameter WhatIf).description.Text -join '') | Should -Match 'without changing'
    }
    It 'says in OUTPUTS what each output of <_> carries, not only its type name' -ForEach $Commands {
        $m = Get-MamlCommand $_
        foreach ($rv in $m.SelectNodes('command:returnValues/command:returnValue', $Ns)) {
            $name = $rv.SelectSingleNode('dev:type/maml:name', $Ns).InnerText
            $text = $rv.SelectSingleNode('maml:description', $Ns).InnerText.Trim()
            $text | Should -Not -Be $name -Because "OUTPUTS of $_ should say what a $name carries"
        }
    }
    It 'has an about topic' {
        (Get-Help about_LinuxTrace | Out-String) | Should -Match 'private instance'
    }
    It 'has an about topic for the <Topic> workflow' -ForEach @(
        @{ Topic = 'Probes'; Cmdlet = 'Add-KProbe' }, @{ Topic = 'Graph'; Cmdlet = 'Format-TraceGraph' },
        @{ Topic = 'Aggregation'; Cmdlet = 'Measure-TraceEvent' }, @{ Topic = 'Files'; Cmdlet = 'Export-TraceData' }) {
        $text = Get-Help "about_LinuxTrace_$Topic" | Out-String
        $text | Should -Match $Cmdlet
        foreach ($c in [regex]::Matches($text, '\b[A-Z][a-z]+-(?:Trace|KProbe|UProbe|Usdt|Graph|Function|Available)[A-Za-z]*\b').Value | Sort-Object -Unique) {
            Get-Command $c -ErrorAction SilentlyContinue | Should -Not -BeNullOrEmpty -Because "about_LinuxTrace_$Topic names $c"
        }
    }
    It 'declares OutputType and uses approved verbs' -ForEach $Commands {
        $cmd = Get-Command $_
        $cmd.Verb | Should -BeIn (Get-Verb).Verb
        if ($cmd.Verb -notin 'Remove', 'Clear', 'Write') { $cmd.OutputType | Should -Not -BeNullOrEmpty }
    }
    It '<_> supports -WhatIf when its verb changes something' -ForEach ($Commands | Where-Object { ($_ -split '-')[0] -in 'New', 'Set', 'Remove', 'Start', 'Stop', 'Add', 'Clear', 'Write', 'Export' }) {
        (Get-Command $_).Parameters.ContainsKey('WhatIf') | Should -BeTrue
    }
}
