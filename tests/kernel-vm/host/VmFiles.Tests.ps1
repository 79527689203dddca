# Run on the host after the kernel VM (tests/TestRunner.psm1, Invoke-KernelVmFileSuite): the trace files the guest's
# tests recorded (Save-VmFile) read by LinuxTrace and by trace-cmd report, field for field. Reading a file does not
# depend on the kernel that wrote it (the file carries its formats, kallsyms and comm list), and comparing here costs
# seconds where the emulated guest took minutes. A file the guest did not leave fails its check (the guest's own test
# says why); checks of guest test files that did not run (a -PesterPath subset) are not made.
BeforeDiscovery {
    . $PSScriptRoot/../../KernelFeatures.ps1
    $script:Ran = @("$env:LINUXTRACE_VM_RAN" -split ',' | Where-Object { $_ })
}
BeforeAll {
    . $PSScriptRoot/../../Common.ps1
    function Get-VmFile([string] $Name) {
        $path = Join-Path "$env:LINUXTRACE_VM_FILES" $Name
        if (-not $env:LINUXTRACE_VM_FILES -or -not (Test-Path -LiteralPath $path)) { throw "The kernel VM left no $Name (its guest test failed or did not get that far: see the kernel VM's results)." }
        $path
    }

    # trace-cmd report's graph of one task as (depth, text) lines: "func() {", "func();", "}".
    function Get-TraceCmdGraph([string] $Dat, [int] $ProcessId) {
        foreach ($line in (& trace-cmd report -i $Dat 2>$null)) {
            if ($line -notmatch "-$ProcessId\s+\[\d+\].*funcgraph_(entry|exit):.*\|(\s+)(\S.*)$") { continue }
            $text = $Matches[3].Trim() -replace '\s*/\*.*\*/$', ''
            [pscustomobject]@{ Depth = [int](($Matches[2].Length - 2) / 2); Text = $text }
        }
    }
}

Describe 'files the kernel VM recorded, read on the host' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
    if ($script:Ran -contains 'FullKernel.Tests.ps1') {
        It 'trace-cmd reads the 6.1 kernel''s sched events LinuxTrace recorded, field for field' {
            Compare-WithTraceCmd (Get-VmFile 'sched.dat') | Should -BeNullOrEmpty
        }

        It 'LinuxTrace reads the function-tracer file trace-cmd recorded, event for event and message for message' {
            $dat = Get-VmFile 'tc-function.dat'
            Compare-WithTraceCmd $dat | Should -BeNullOrEmpty
            $m = Compare-MessageWithTraceCmd $dat
            $m.CountMismatch | Should -BeNullOrEmpty
            $m.Compared | Should -Be @(Get-TraceEvent $dat -Event ftrace:function).Count
            $m.Mismatches | Should -BeNullOrEmpty
        }
    }

    if ($script:Ran -contains 'FunctionGraph.Tests.ps1') {
        It 'trace-cmd reports LinuxTrace''s function_graph file with the same structure as Format-TraceGraph' {
            $dat = Get-VmFile 'graph.dat'
            $calls = @(Get-FunctionCall $dat)
            $cat = ($calls | Where-Object Command -eq 'cat' | Select-Object -First 1).ProcessId
            $cat | Should -Not -BeNullOrEmpty
            $ours = @($calls | Where-Object ProcessId -eq $cat | Format-TraceGraph -NoHeader | ForEach-Object {
                    $t = $_.Substring($_.LastIndexOf(' |  ') + 4)
                    [pscustomobject]@{ Depth = [int](($t.Length - $t.TrimStart().Length) / 2); Text = ($t.Trim() -replace '\s*/\*.*\*/$', '') } })
            $theirs = @(Get-TraceCmdGraph $dat $cat)
            $ours.Count | Should -BeGreaterThan 10
            ($ours | ForEach-Object { "$($_.Depth) $($_.Text)" }) -join "`n" | Should -Be (($theirs | ForEach-Object { "$($_.Depth) $($_.Text)" }) -join "`n")
            # Measure-FunctionCall reads the file in the engine: the same counts as the calls
            $m = Measure-FunctionCall -Path $dat
            ($m | Where-Object Function -eq 'do_sys_openat2').Count | Should -Be @($calls | Where-Object Function -eq 'do_sys_openat2').Count
            ($m | Measure-Object Count -Sum).Sum | Should -Be $calls.Count
        }
    }

    if ($script:Ran -contains 'Probes.Tests.ps1') {
        It 'trace-cmd reads LinuxTrace''s file of kprobe and kretprobe events, field for field' {
            Compare-WithTraceCmd (Get-VmFile 'kprobe.dat') | Should -BeNullOrEmpty
        }
    }
}
