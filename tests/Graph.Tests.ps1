# Function call graphs on this host, from a function_graph file the kernel VM recorded (tests/fixtures/graph-6.1.dat:
# `Start-Trace -Tracer function_graph -GraphFunction do_sys_openat2 -Command /bin/cat -ArgumentList /etc/os-release
# -OutFile` in Debian's 6.1 kernel, tests/kernel-vm/FunctionGraph.Tests.ps1). Reading a file does not depend on the
# kernel that wrote it, so Get-FunctionCall, Format-TraceGraph and Measure-FunctionCall are tested here on every run,
# whether or not the kernel VM runs; the VM's own run checks a fresh file the same way (tests/kernel-vm/host).
BeforeDiscovery { . $PSScriptRoot/KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Graph = Join-Path $PSScriptRoot 'fixtures/graph-6.1.dat'
    # every call, at every depth (a root's descendants are among them too)
    $script:Calls = @(Get-FunctionCall $Graph)
}

Describe 'Function call graphs from a file' {
    It 'pairs entries and exits into trees: children one level deeper, inside their parent''s time' {
        $Calls.Count | Should -BeGreaterThan 100
        $roots = @($Calls | Where-Object { -not $_.GetParent() })
        @($roots | Where-Object { $_.Command -eq 'cat' -and $_.Function -eq 'do_sys_openat2' }).Count | Should -BeGreaterThan 3 -Because 'cat opens its libraries and the file'
        @($roots | ForEach-Object { $_.Descendants() }).Count | Should -Be $Calls.Count -Because 'every call is in one tree, once (Descendants() starts with the call itself)'
        $bad = foreach ($c in $Calls) {
            $sum = [uint64]0
            foreach ($k in $c.Children) {
                if ($k.GetParent() -ne $c -or $k.ProcessId -ne $c.ProcessId) { "child $($k.Function) of $($c.Function): parent or pid" }
                # one level deeper, as a rule; an interrupt that comes between the kernel's depth bookkeeping and a record
                # (in a call's return path: at the call's own depth; in a callee's entry path: two levels deeper) nests
                # under the open call, as trace-cmd report shows it; never above it
                if ($k.Depth -lt $c.Depth) { "child $($k.Function) of $($c.Function): depth $($k.Depth) above $($c.Depth)" }
                elseif ($k.Depth -eq $c.Depth + 1) { $sum += $k.DurationNs }
            }
            if ($c.Status -eq 'Returned' -and $sum -gt $c.DurationNs) { "$($c.Function): children took $sum ns of its $($c.DurationNs)" }
        }
        $bad | Select-Object -First 5 | Should -BeNullOrEmpty
        # self time: its time less its children's (never below zero)
        $leaf = @($Calls | Where-Object { $_.Status -eq 'Returned' -and $_.Children.Count -eq 0 })[0]
        $leaf.SelfTime | Should -Be $leaf.Duration
        $mid = @($Calls | Where-Object { $_.Status -eq 'Returned' -and $_.Children.Count -gt 0 -and @($_.Children | Where-Object Depth -eq $_.Depth).Count -eq 0 })[0]
        $mid.SelfTime.Ticks | Should -Be ([long](($mid.DurationNs - ($mid.Children | Measure-Object DurationNs -Sum).Sum) / 100))
    }

    It 'Get-FunctionCall takes records from the pipeline and ignores those that are not function_graph records' {
        $sched = Join-Path $TestDrive 'sched.dat'
        Start-Trace -Event sched:sched_process_exec, sched:sched_process_exit -Command /bin/true -OutFile $sched | Out-Null
        $other = @(Get-TraceEvent $sched | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        $other.Count | Should -BeGreaterThan 0
        $records = @(Get-TraceEvent $Graph)
        # the other file's records in among the graph's (each one after every 50th graph record)
        $mixed = for ($i = 0; $i -lt $records.Count; $i++) { $records[$i]; if ($i % 50 -eq 0) { $other[($i / 50) % $other.Count] } }
        $fromPipe = @($mixed | Get-FunctionCall)
        $fromPipe.Count | Should -Be $Calls.Count
        ($fromPipe | ForEach-Object { "$($_.ProcessId) $($_.Function) $($_.DurationNs) $($_.Children.Count)" }) -join "`n" |
            Should -Be (($Calls | ForEach-Object { "$($_.ProcessId) $($_.Function) $($_.DurationNs) $($_.Children.Count)" }) -join "`n")
        @($other | Get-FunctionCall).Count | Should -Be 0
    }

    It 'Measure-FunctionCall counts and times every call of every function, as the trees hold them' {
        $m = @(Measure-FunctionCall -Path $Graph)
        $m.Count | Should -BeGreaterThan 10
        $expected = @{}
        foreach ($g in $Calls | Group-Object Function) { $expected[$g.Name] = $g }
        $bad = foreach ($s in $m) {
            $g = $expected[$s.Function]
            if (-not $g) { "$($s.Function): not in the trees"; continue }
            if ($s.Count + $s.Incomplete -ne $g.Count) { "$($s.Function): $($s.Count) + $($s.Incomplete) incomplete, the trees have $($g.Count)" }
            $done = @($g.Group | Where-Object Status -eq 'Returned')
            $total = ($done | Measure-Object DurationNs -Sum).Sum
            if ([Math]::Abs($s.Total.Ticks - [long]($total / 100)) -gt $done.Count) { "$($s.Function): total $($s.Total.Ticks) ticks, the trees $([long]($total / 100))" }
        }
        $bad | Select-Object -First 5 | Should -BeNullOrEmpty
        @($m | Where-Object Function -eq 'do_sys_openat2')[0].Count | Should -Be @($Calls | Where-Object { $_.Function -eq 'do_sys_openat2' -and $_.Status -eq 'Returned' }).Count
        # the same from the pipeline
        $piped = @($Calls | Measure-FunctionCall)
        ($piped | Sort-Object Function | ForEach-Object { "$($_.Function) $($_.Count) $($_.Total.Ticks)" }) -join "`n" |
            Should -Be (($m | Sort-Object Function | ForEach-Object { "$($_.Function) $($_.Count) $($_.Total.Ticks)" }) -join "`n")
    }

    It 'Format-TraceGraph draws each task''s graph as trace-cmd report does' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
        $cat = ($Calls | Where-Object Command -eq 'cat' | Select-Object -First 1).ProcessId
        $ours = @($Calls | Where-Object ProcessId -eq $cat | Format-TraceGraph -NoHeader | ForEach-Object {
                $t = $_.Substring($_.LastIndexOf(' |  ') + 4)
                "$([int](($t.Length - $t.TrimStart().Length) / 2)) $($t.Trim() -replace '\s*/\*.*\*/$', '')" })
        $theirs = @(foreach ($line in (& trace-cmd report -i $Graph 2>$null)) {
                if ($line -notmatch "-$cat\s+\[\d+\].*funcgraph_(entry|exit):.*\|(\s+)(\S.*)$") { continue }
                "$([int](($Matches[2].Length - 2) / 2)) $($Matches[3].Trim() -replace '\s*/\*.*\*/$', '')" })
        $ours.Count | Should -BeGreaterThan 50
        $ours -join "`n" | Should -Be ($theirs -join "`n")
        # with a header, and the process on every line
        $text = @($Calls | Where-Object ProcessId -eq $cat | Format-TraceGraph -ShowProcess)
        $text[0] | Should -Match 'FUNCTION'
        @($text | Select-Object -Skip 2 | Where-Object { $_ -and $_ -notmatch "cat-$cat" }).Count | Should -Be 0
    }

    It '-Event completes from the file''s own formats, relative to PowerShell''s location' {
        Push-Location (Split-Path $Graph)
        try {
            $fromFile = @(Get-Completion "Get-TraceEvent -Path $(Split-Path $Graph -Leaf) -Event ")
            $fromFile | Should -Contain 'ftrace:funcgraph_entry'
            $fromFile | Should -Not -Contain 'sched:sched_switch' -Because 'the file holds the ftrace formats only'
        }
        finally { Pop-Location }
        Get-Completion 'Get-TraceEvent -Event sched:sched_swi' | Should -Contain 'sched:sched_switch' -Because 'without -Path, the kernel''s events'
    }
}
