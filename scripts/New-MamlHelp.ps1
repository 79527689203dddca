<#
.SYNOPSIS
    Writes the module's MAML help (LinuxTrace.dll-Help.xml) from the built cmdlets' metadata (syntax, parameters,
    pipeline input, types, outputs) and hand-written prose (src/LinuxTrace/Help/<Verb-Noun>.psd1).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $ProseDirectory,
    [Parameter(Mandatory)] [string] $OutFile
)
$ErrorActionPreference = 'Stop'
$module = Import-Module $ModulePath -PassThru -Force
# -WhatIf and -Confirm are documented with the cmdlet's own parameters, as PowerShell's own help does; only the
# common parameters (-Verbose, -ErrorAction ...) are left to about_CommonParameters
$common = [System.Management.Automation.PSCmdlet]::CommonParameters
$shouldProcessText = @{
    WhatIf  = 'Shows what the cmdlet would change (in tracefs or on disk) without changing it; a change the kernel would refuse is still reported as an error.'
    Confirm = 'Asks for confirmation before each change.'
}
# What an output type carries, for OUTPUTS: its public properties (the prose's Outputs entry, where given, comes first).
function Describe-Type([type] $t) {
    $props = @($t.GetProperties([Reflection.BindingFlags] 'Public, Instance') | Where-Object { $_.GetIndexParameters().Count -eq 0 } | ForEach-Object Name)
    if (-not $props -or $t.Namespace -notlike 'LinuxTrace*') { return $null }
    $shown = $props | Select-Object -First 14
    "$($t.Name) objects carry $($shown -join ', ')$(if ($props.Count -gt $shown.Count) { ', ...' }) (Get-Member lists them all)."
}

$ns = @{
    maml = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
}
$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
New-Item -ItemType Directory -Path (Split-Path $OutFile) -Force | Out-Null
$w = [System.Xml.XmlWriter]::Create($OutFile, $settings)

function Para([string] $text) {
    foreach ($p in ($text -split "`n`n")) {
        $w.WriteStartElement('maml', 'para', $ns.maml); $w.WriteString($p.Trim()); $w.WriteEndElement()
    }
}
function Description([string[]] $paras) {
    $w.WriteStartElement('maml', 'description', $ns.maml)
    foreach ($p in $paras) { Para $p }
    $w.WriteEndElement()
}
function PipelineText($p) {
    $kinds = @()
    if ($p.ValueFromPipeline) { $kinds += 'ByValue' }
    if ($p.ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}
function TypeName([type] $t) {
    if ($t -eq [System.Management.Automation.SwitchParameter]) { return 'SwitchParameter' }
    $u = [Nullable]::GetUnderlyingType($t)
    if ($u) { $u.FullName } else { $t.FullName }
}
function ShortName([type] $t) {
    $u = [Nullable]::GetUnderlyingType($t)
    if ($u) { $u.Name } else { $t.Name }
}

$w.WriteStartDocument()
$w.WriteStartElement('helpItems', 'http://msh')
$w.WriteAttributeString('schema', 'maml')
foreach ($cmd in (Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name)) {
    $proseFile = Join-Path $ProseDirectory "$($cmd.Name).psd1"
    if (-not (Test-Path $proseFile)) { throw "No help prose for $($cmd.Name): add $proseFile" }
    $prose = Import-PowerShellDataFile $proseFile
    $params = $cmd.Parameters.Values | Where-Object { $_.Name -notin $common }

    $w.WriteStartElement('command', 'command', $ns.command)
    $w.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
    $w.WriteAttributeString('xmlns', 'command', $null, $ns.command)
    $w.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)
    $w.WriteStartElement('command', 'details', $ns.command)
    $w.WriteElementString('name', $ns.command, $cmd.Name)
    $w.WriteElementString('verb', $ns.command, $cmd.Verb)
    $w.WriteElementString('noun', $ns.command, $cmd.Noun)
    Description @($prose.Synopsis)
    $w.WriteEndElement()
    Description @($prose.Description)

    # syntax: one item per parameter set
    $w.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $cmd.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $ns.command)
        $w.WriteElementString('name', $ns.maml, $cmd.Name)
        foreach ($sp in ($set.Parameters | Where-Object { $_.Name -notin $common } | Sort-Object { if ($_.Position -ge 0) { $_.Position } else { 1000 } })) {
            $w.WriteStartElement('command', 'parameter', $ns.command)
            $w.WriteAttributeString('required', "$($sp.IsMandatory)".ToLower())
            $w.WriteAttributeString('position', $(if ($sp.Position -ge 0) { "$($sp.Position)" } else { 'named' }))
            $w.WriteAttributeString('pipelineInput', (PipelineText $sp))
            $w.WriteElementString('name', $ns.maml, $sp.Name)
            if ($sp.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
                $w.WriteStartElement('command', 'parameterValue', $ns.command)
                $w.WriteAttributeString('required', 'true')
                $w.WriteString((ShortName $sp.ParameterType))
                $w.WriteEndElement()
            }
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    # parameters
    $w.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($p in ($params | Sort-Object Name)) {
        $text = if ($prose.Parameters[$p.Name]) { $prose.Parameters[$p.Name] } else { $shouldProcessText[$p.Name] }
        if (-not $text) { throw "No help text for parameter -$($p.Name) of $($cmd.Name) in $proseFile" }
        $attr = $p.ParameterSets.Values | Select-Object -First 1
        $w.WriteStartElement('command', 'parameter', $ns.command)
        $w.WriteAttributeString('required', "$([bool]($p.ParameterSets.Values | Where-Object IsMandatory))".ToLower())
        $w.WriteAttributeString('variableLength', "$($p.ParameterType.IsArray)".ToLower())
        $w.WriteAttributeString('globbing', "$([bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }))".ToLower())
        $w.WriteAttributeString('pipelineInput', (PipelineText $attr))
        $w.WriteAttributeString('position', $(if ($attr.Position -ge 0) { "$($attr.Position)" } else { 'named' }))
        $w.WriteAttributeString('aliases', $(if ($p.Aliases.Count) { $p.Aliases -join ', ' } else { 'none' }))
        $w.WriteElementString('name', $ns.maml, $p.Name)
        Description @($text)
        $w.WriteStartElement('command', 'parameterValue', $ns.command)
        $w.WriteAttributeString('required', 'true')
        $w.WriteString((ShortName $p.ParameterType))
        $w.WriteEndElement()
        $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('name', $ns.maml, (TypeName $p.ParameterType)); $w.WriteEndElement()
        $w.WriteElementString('defaultValue', $ns.dev, $(if ($prose.Defaults -and $prose.Defaults[$p.Name]) { $prose.Defaults[$p.Name] } else { 'None' }))
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    # inputs: types accepted from the pipeline
    $w.WriteStartElement('command', 'inputTypes', $ns.command)
    $inputs = $params | Where-Object { $_.ParameterSets.Values | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName } }
    if (-not $inputs) { $inputs = @() }
    foreach ($i in $inputs) {
        $w.WriteStartElement('command', 'inputType', $ns.command)
        $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('name', $ns.maml, (TypeName $i.ParameterType)); $w.WriteEndElement()
        Description @("-$($i.Name) from the pipeline ($(PipelineText ($i.ParameterSets.Values | Select-Object -First 1)))")
        $w.WriteEndElement()
    }
    if (-not $inputs) {
        $w.WriteStartElement('command', 'inputType', $ns.command)
        $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('name', $ns.maml, 'None'); $w.WriteEndElement()
        Description @('This cmdlet takes no pipeline input.')
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    # outputs
    $w.WriteStartElement('command', 'returnValues', $ns.command)
    foreach ($o in ($cmd.OutputType | Sort-Object Name -Unique)) {
        $w.WriteStartElement('command', 'returnValue', $ns.command)
        $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('name', $ns.maml, $o.Name); $w.WriteEndElement()
        # the prose names a type without its namespace (TraceEvent, FileInfo)
        $short = ($o.Name -split '\.')[-1]
        $said = if ($prose.Outputs) { $prose.Outputs[$o.Name] ?? $prose.Outputs[$short] }
        $what = @($said, $(if ($o.Type) { Describe-Type $o.Type }) | Where-Object { $_ })
        Description @($(if ($what) { $what -join ' ' } else { $o.Name }))
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    if ($prose.Notes) {
        $w.WriteStartElement('maml', 'alertSet', $ns.maml)
        $w.WriteStartElement('maml', 'alert', $ns.maml); foreach ($n in @($prose.Notes)) { Para $n }; $w.WriteEndElement()
        $w.WriteEndElement()
    }

    if (-not $prose.Examples) { throw "No example for $($cmd.Name) in $proseFile" }
    $w.WriteStartElement('command', 'examples', $ns.command)
    $n = 0
    foreach ($ex in $prose.Examples) {
        $n++
        $w.WriteStartElement('command', 'example', $ns.command)
        $w.WriteElementString('title', $ns.maml, "-------------------------- Example $($n): $($ex.Title) --------------------------")
        $w.WriteElementString('code', $ns.dev, $ex.Code)
        $w.WriteStartElement('dev', 'remarks', $ns.dev); Para $ex.Remarks; $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $ns.command)
    foreach ($l in @($prose.Links) + @('about_LinuxTrace')) {
        if (-not $l) { continue }
        $w.WriteStartElement('maml', 'navigationLink', $ns.maml)
        $w.WriteElementString('linkText', $ns.maml, $l)
        $w.WriteElementString('uri', $ns.maml, '')
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndElement() # command
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Close()
Write-Host "Help: $OutFile"
