BeforeDiscovery { . $PSScriptRoot/KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StateBefore = Get-KernelTraceState
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "lt-pester-dat-$PID"
    New-Item -ItemType Directory -Path $Work -Force | Out-Null
    $script:Events = 'sched:sched_switch', 'sched:sched_wakeup', 'sched:sched_process_exec', 'sched:sched_process_fork', 'sched:sched_process_exit', 'raw_syscalls:sys_enter', 'raw_syscalls:sys_exit'
    $script:Workload = 'for i in 1 2 3; do ls / > /dev/null; done'
}
AfterAll {
    Remove-Item $Work -Recurse -Force -ErrorAction SilentlyContinue
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'Reading files trace-cmd wrote' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
    It 'reads trace-cmd record v<Version> (<Compression>) with the same time, CPU, pid, event and every field value' -ForEach @(
        @{ Version = 6; Compression = 'none' }
        @{ Version = 7; Compression = 'none' }
        @{ Version = 7; Compression = 'zstd' }
    ) {
        $dat = Join-Path $Work "tc-v$Version-$Compression.dat"
        $args = @('record', '-q', '-d', '--no-filter', '--file-version', "$Version", '--compression', $Compression, '-o', $dat)
        foreach ($e in $Events) { $args += '-e', $e }
        $args += '-F', '-c', 'bash', '-c', $Workload
        Invoke-TraceCmd $args   # exits 1 on this host after writing (its reset hits EPERM on set_ftrace_filter)
        Test-Path $dat | Should -BeTrue
        $info = Get-TraceFileInfo $dat
        $info.Version | Should -Be $Version
        $info.Compression | Should -BeLike "$Compression*"
        $info.EventCount | Should -BeGreaterThan 50
        $problems = Compare-WithTraceCmd $dat
        $problems | Should -BeNullOrEmpty
    }

    It 'renders each event''s Message as trace-cmd report -N prints it (sched, syscalls, signals, exec, irqs, markers)' {
        $dat = Join-Path $Work 'messages.dat'
        $work = 'for i in $(seq 10); do ls / >/dev/null; done; sleep 5 & kill -TERM $!; wait; for i in 1 2 3; do echo "marker $i" > /sys/kernel/tracing/trace_marker; done; cat /etc/hostname >/dev/null'
        Invoke-TraceCmd @('record', '-q', '-d', '--no-filter', '-e', 'sched', '-e', 'signal', '-e', 'syscalls', '-e', 'raw_syscalls', '-e', 'irq',
            '-o', $dat, '-F', '-c', 'bash', '-c', $work)
        $r = Compare-MessageWithTraceCmd $dat
        $r.CountMismatch | Should -BeNullOrEmpty
        $r.Compared | Should -BeGreaterThan 5000
        $kinds = @(Get-TraceEvent $dat | Group-Object EventSystem).Name
        foreach ($k in 'sched', 'signal', 'syscalls', 'raw_syscalls', 'ftrace') { $kinds | Should -Contain $k }
        @(Get-TraceEvent $dat -Event ftrace:print).Message | Should -Contain 'tracing_mark_write: marker 2'
        ($r.Mismatches.Count / $r.Compared) | Should -BeLessOrEqual 0.001 -Because "of the mismatches: $($r.Mismatches | Select-Object -First 3)"
    }

    It 'renders timer_start as the kernel''s own trace file does (where libtraceevent 1.7 loses the parentheses in its flags)' {
        $name = New-TestInstanceName
        $s = Start-Trace -Event timer:timer_start -Instance $name -AsSession
        try {
            Wait-Until { (Get-TraceStatus -Instance $name).Entries -ge 20 } -Because 'twenty timer_start events' | Out-Null
            Set-Content "$Tracefs/instances/$name/tracing_on" 0
            # the kernel's own text (non-consuming), then LinuxTrace's reading of the same buffer (consuming)
            $kernel = @(Get-Content "$Tracefs/instances/$name/trace" | Where-Object { $_ -match 'timer_start: ' } | ForEach-Object { $_ -replace '^.*? function=', 'function=' })
            $ours = @(Get-TraceEvent -Instance $name -Event timer_start | ForEach-Object { $_.Message -replace '^.*? function=', 'function=' })
        }
        finally { $s | Stop-Trace }
        $kernel.Count | Should -BeGreaterOrEqual 20
        $ours | Should -Be $kernel -Because 'timer=%p is hashed in the kernel''s text, so the comparison starts at function='
    }

    It 'reads each buffer of a file recorded with an instance (-Buffer)' {
        $dat = Join-Path $Work 'multi.dat'
        $buf = "ltbuf$PID"
        Invoke-TraceCmd @('record', '-q', '-d', '--no-filter', '-o', $dat, '-e', 'sched:sched_process_exec', '-B', $buf, '-e', 'sched:sched_switch', 'bash', '-c', $Workload)
        Test-Path "$Tracefs/instances/$buf" | Should -BeFalse
        (Get-TraceFileInfo $dat).Buffers | Should -Contain $buf
        (Get-TraceEvent $dat | Group-Object EventName).Name | Should -Be 'sched_process_exec'
        (Get-TraceEvent $dat -Buffer $buf | Group-Object EventName).Name | Should -Be 'sched_switch'
        { Get-TraceEvent $dat -Buffer nope -ErrorAction Stop } | Should -Throw -ErrorId 'BufferNotFound,LinuxTrace.Commands.GetTraceEventCommand'
    }

}

Describe 'Several files and filters' {
    BeforeAll {
        # two files recorded at the same time by two sessions (sched_switch in one, sys_enter in the other): their
        # events interleave in time, so a merge has to pick from both files again and again
        $script:Pair = Join-Path $Work 'pair'
        New-Item -ItemType Directory -Path $Pair -Force | Out-Null
        $a = Start-Trace -Event sched:sched_switch -AsSession
        $b = Start-Trace -Event raw_syscalls:sys_enter -AsSession
        try {
            Wait-Until { (Get-TraceStatus -Instance $a.InstanceName).Entries -gt 50 -and (Get-TraceStatus -Instance $b.InstanceName).Entries -gt 50 } -Because 'both sessions to record' | Out-Null
            # switches and system calls in turn, last of all: however much b's buffer has overwritten, the two files
            # share this stretch of time (an idle machine once gave only two context switches in it)
            & bash -c 'for i in $(seq 40); do sleep 0.01; done'
            # both stop recording at once: exported one after the other, a busy b would otherwise overwrite its older
            # events while a is written, and keep only a time a's file does not reach (seen in CI)
            foreach ($s in $a, $b) { [IO.File]::WriteAllText("$Tracefs/instances/$($s.InstanceName)/tracing_on", '0') }
            $a | Export-TraceData -OutFile "$Pair/a.dat"
            $b | Export-TraceData -OutFile "$Pair/b.dat"
        }
        finally { $a, $b | Stop-Trace }
    }

    It 'merges files recorded at the same time into one stream in time order, and pipes from Get-ChildItem' {
        $files = Get-ChildItem $Pair -Filter '*.dat'
        $files.Count | Should -Be 2
        $all = @($files | Get-TraceEvent)
        $all.Count | Should -Be (($files | ForEach-Object { (Get-TraceFileInfo -LiteralPath $_.FullName).EventCount } | Measure-Object -Sum).Sum)
        $switches = 0
        for ($i = 1; $i -lt $all.Count; $i++) {
            $all[$i].TimestampNs | Should -BeGreaterOrEqual $all[$i - 1].TimestampNs -Because "event $i follows event $($i - 1)"
            if ($all[$i].EventName -ne $all[$i - 1].EventName) { $switches++ }
        }
        $switches | Should -BeGreaterThan 4 -Because 'the two files interleave in time'
    }

    It 'filters by event, time and CPU before making objects' {
        $one = "$Pair/a.dat"
        $all = @(Get-TraceEvent "$Pair/*.dat")
        $exec = @(Get-TraceEvent "$Pair/*.dat" -Event sys_enter)
        $exec.Count | Should -Be @($all | Where-Object EventName -eq sys_enter).Count
        $exec.Count | Should -BeGreaterThan 0
        $mid = $all[[int]($all.Count / 2)].Timestamp
        $late = @(Get-TraceEvent "$Pair/*.dat" -StartTime $mid)
        $late.Count | Should -Be @($all | Where-Object Timestamp -ge $mid).Count
        $late.Count | Should -BeGreaterThan 0
        $late | Where-Object { $_.Timestamp -lt $mid } | Should -BeNullOrEmpty
        $cpu = ($all | Group-Object CpuNumber | Sort-Object Count -Descending | Select-Object -First 1).Name
        $onCpu = @(Get-TraceEvent $one -Cpu $cpu)
        $onCpu.Count | Should -Be @(Get-TraceEvent $one | Where-Object CpuNumber -eq $cpu).Count
        $onCpu.Count | Should -BeGreaterThan 0
        $onCpu | Where-Object CpuNumber -ne $cpu | Should -BeNullOrEmpty
    }
}

Describe 'Writing files trace-cmd reads' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
    It 'writes v<Version> (<Compression>) that trace-cmd report reads without warnings, agreeing field for field' -ForEach @(
        @{ Version = '6'; Compression = 'none' }
        @{ Version = '7'; Compression = 'none' }
        @{ Version = '7'; Compression = 'zstd' }
    ) {
        $dat = Join-Path $Work "lt-v$Version-$Compression.dat"
        $f = Start-Trace -Event $Events -FollowChildren -Command bash -ArgumentList '-c', $Workload -OutFile $dat -FileVersion $Version -Compression $Compression -PassThru
        $f.Length | Should -BeGreaterThan 0
        $info = Get-TraceFileInfo $dat
        $info.Version | Should -Be ([int]$Version)
        $info.Uname | Should -Match (Get-Content /proc/sys/kernel/osrelease)
        $info.CpuStats.Count | Should -Be (Get-ChildItem "$Tracefs/per_cpu" -Directory).Count
        $info.EventCounts['sched:sched_process_exec'] | Should -BeGreaterOrEqual 4
        $problems = Compare-WithTraceCmd $dat
        $problems | Should -BeNullOrEmpty
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It 'exports a session''s buffer and converts files between versions' {
        $s = Start-Trace -Event sched:sched_switch -AsSession
        try {
            Wait-Until { (Get-TraceStatus -Instance $s.InstanceName).Entries -gt 0 } -Because 'context switches in the session''s buffer'
            $out = Join-Path $Work 'session.dat'
            $s | Export-TraceData -OutFile $out -Compression zstd
        }
        finally { $s | Stop-Trace }
        (Get-TraceFileInfo $out).EventCounts['sched:sched_switch'] | Should -BeGreaterThan 0
        Compare-WithTraceCmd $out | Should -BeNullOrEmpty
        $v6 = Join-Path $Work 'session-v6.dat'
        Export-TraceData -Path $out -OutFile $v6 -FileVersion 6
        (Get-TraceEvent $v6 | Measure-Object).Count | Should -Be (Get-TraceEvent $out | Measure-Object).Count
        Compare-WithTraceCmd $v6 | Should -BeNullOrEmpty
        # an existing file is kept unless -Force; a directory is named as one
        $bytes = [IO.File]::ReadAllBytes($v6)
        $e = $null; Export-TraceData -Path $out -OutFile $v6 -FileVersion 7 -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'OutFileExists,LinuxTrace.Commands.ExportTraceDataCommand'
        $e[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        [IO.File]::ReadAllBytes($v6).Length | Should -Be $bytes.Length
        (Get-TraceFileInfo $v6).Version | Should -Be 6
        Export-TraceData -Path $out -OutFile $v6 -FileVersion 7 -Force
        (Get-TraceFileInfo $v6).Version | Should -Be 7
        $e = $null; Export-TraceData -Path $out -OutFile $Work -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'OutFileIsDirectory,LinuxTrace.Commands.ExportTraceDataCommand'
        Export-TraceData -Path $out -OutFile (Join-Path $Work 'whatif.dat') -WhatIf
        Test-Path (Join-Path $Work 'whatif.dat') | Should -BeFalse
    }
}

Describe 'Reading a big file' {
    BeforeAll {
        # about 2 M records: system calls of 300 runs of ls, and their 300 execs spread through the file
        $script:Busy = Join-Path $Work 'busy.dat'
        Start-Trace -Event raw_syscalls:sys_enter, sched:sched_process_exec -FollowChildren -Command /bin/sh -ArgumentList '-c', 'for i in $(seq 500); do ls -R /usr/share/doc > /dev/null; done' -OutFile $Busy | Out-Null
    }
    It '-MaxEvents stops after that many records' {
        @(Get-TraceEvent $Busy -MaxEvents 7).Count | Should -Be 7
        @(Get-TraceEvent $Busy -Event sched_process_exec -MaxEvents 3 | Where-Object EventName -eq 'sched_process_exec').Count | Should -Be 3
    }
    It 'gives Select-Object -First the first match at once, not after the batch or the file is read' {
        (Get-TraceFileInfo $Busy).EventCounts['sched:sched_process_exec'] | Should -BeGreaterOrEqual 300
        # what any read costs before its first record (opening the file, its formats): not part of the comparison
        # best of three each: one pause of the machine (a GC, another process) must not decide it
        function Measure-Best([scriptblock] $Script) { (1..3 | ForEach-Object { Measure-Command $Script } | Sort-Object TotalMilliseconds | Select-Object -First 1) }
        $open = Measure-Best { Get-TraceEvent $Busy -MaxEvents 1 | Out-Null }
        $first = Measure-Best { Get-TraceEvent $Busy -Event sched_process_exec | Select-Object -First 1 }
        $all = Measure-Best { Get-TraceEvent $Busy -Event sched_process_exec | Out-Null }
        # (the 300 matches used to wait for a batch of 1024: the whole file, every time)
        $scanFirst = $first.TotalMilliseconds - $open.TotalMilliseconds
        $scanAll = $all.TotalMilliseconds - $open.TotalMilliseconds
        # a batch goes out at most 50 ms after its first record: the first match may wait that long, never for the file
        $scanAll | Should -BeGreaterThan 150 -Because 'the file must take long enough to read for the comparison to mean anything'
        $scanFirst | Should -BeLessThan ([math]::Max($scanAll / 3, 100)) -Because "past opening the file ($([int]$open.TotalMilliseconds) ms), the first of 300 execs came after $([int]$scanFirst) ms, all after $([int]$scanAll) ms"
    }
}

Describe 'Events as CSV and JSON with one schema' {
    BeforeAll {
        $script:Mixed = Join-Path $Work 'mixed.dat'
        Start-Trace -Event sched:sched_switch, sched:sched_wakeup, raw_syscalls:sys_enter, sched:sched_process_exec -FollowChildren -Command /bin/sh -ArgumentList '-c', 'ls / > /dev/null; sleep 0.1' -OutFile $Mixed -WallClock | Out-Null
        $script:MixedEvents = @(Get-TraceEvent $Mixed)
        $script:Columns = 'TimestampNs', 'Time', 'TimeCreated', 'HostName', 'CpuNumber', 'ProcessName', 'ProcessId', 'EventSystem', 'EventName', 'CommonFlags', 'CommonPreemptCount', 'Message', 'Fields'
        # an event's own fields as PowerShell sees them, name = value, for comparing with what the file says
        function Get-OwnFields($e) { $h = [ordered]@{}; foreach ($n in $e.GetFieldNames()) { $h[$n] = $e.$n }; $h }
    }

    It 'writes every event of a file to CSV with the same columns, each event''s fields as JSON under their kernel names' {
        ($MixedEvents.EventName | Sort-Object -Unique) | Should -Contain 'sys_enter'
        ($MixedEvents.EventName | Sort-Object -Unique) | Should -Contain 'sched_switch'
        $csv = Join-Path $Work 'mixed.csv'
        Export-TraceData -Path $Mixed -OutFile $csv
        (Get-Content $csv -First 1) -replace '"' | Should -Be ($Columns -join ',')
        $rows = @(Import-Csv $csv)
        $rows.Count | Should -Be $MixedEvents.Count
        $bad = for ($i = 0; $i -lt $rows.Count; $i++) {
            $r = $rows[$i]; $e = $MixedEvents[$i]
            if ([uint64]$r.TimestampNs -ne $e.TimestampNs -or $r.EventName -ne $e.EventName -or [int]$r.ProcessId -ne $e.ProcessId -or $r.Message -ne $e.Message) { "row $i`: $($r.EventName) at $($r.TimestampNs)" }
            elseif ([datetime]::Parse($r.TimeCreated, [cultureinfo]::InvariantCulture, 'RoundtripKind') -ne $e.TimeCreated) { "row $i`: TimeCreated $($r.TimeCreated) is not $($e.TimeCreated)" }
            elseif ($r.HostName -ne $e.HostName -or $r.HostName -ne (hostname)) { "row $i`: HostName $($r.HostName), the event says $($e.HostName), this host is $(hostname)" }
            else {
                $fields = $r.Fields | ConvertFrom-Json -AsHashtable
                $own = Get-OwnFields $e
                if ((@($fields.Keys) -join ',') -ne (@($own.Keys) -join ',')) { "row $i`: fields $(@($fields.Keys) -join ',') are not $(@($own.Keys) -join ',')" }
                foreach ($k in $own.Keys) { if ("$($fields[$k])" -ne "$($own[$k])") { "row $i`: $k = $($fields[$k]), the event says $($own[$k])" } }
            }
        }
        $bad | Select-Object -First 5 | Should -BeNullOrEmpty
        # the events piped give the same file
        $piped = Join-Path $Work 'piped.csv'
        $MixedEvents | Export-TraceData -OutFile $piped
        (Get-FileHash $piped).Hash | Should -Be (Get-FileHash $csv).Hash
    }

    It 'writes JSON with typed field values, and leaves no file when the pipeline fails' {
        $json = Join-Path $Work 'mixed.json'
        Get-TraceEvent $Mixed | Export-TraceData -OutFile $json -PassThru | Should -BeOfType [IO.FileInfo]
        $rows = @(Get-Content $json -Raw | ConvertFrom-Json)
        $rows.Count | Should -Be $MixedEvents.Count
        @($rows[0].PSObject.Properties.Name) -join ',' | Should -Be ($Columns -join ',')
        $i = [array]::FindIndex($MixedEvents, [Predicate[object]] { $args[0].EventName -eq 'sched_switch' })
        $rows[$i].Fields.prev_pid | Should -BeOfType [long]
        $rows[$i].Fields.prev_pid | Should -Be $MixedEvents[$i].prev_pid
        $rows[$i].Fields.prev_comm | Should -Be $MixedEvents[$i].prev_comm
        $j = [array]::FindIndex($MixedEvents, [Predicate[object]] { $args[0].EventName -eq 'sys_enter' })
        @($rows[$j].Fields.args).Count | Should -Be 6
        # an error upstream: nothing written, no temporary file left
        $failed = Join-Path $Work 'failed.json'
        { & { $MixedEvents | Select-Object -First 5; throw 'upstream failed' } | Export-TraceData -OutFile $failed } | Should -Throw 'upstream failed'
        Test-Path $failed | Should -BeFalse
        @(Get-ChildItem $Work -Filter 'failed.json*').Count | Should -Be 0
    }

    It 'refuses to write objects as trace.dat, and trace.dat options with CSV' {
        $out = Join-Path $Work 'objects.dat'
        { $MixedEvents | Export-TraceData -OutFile $out -ErrorAction Stop } | Should -Throw -ErrorId 'ObjectsAsTraceDat,LinuxTrace.Commands.ExportTraceDataCommand'
        Test-Path $out | Should -BeFalse
        { $MixedEvents | Export-TraceData -OutFile (Join-Path $Work 'v6.csv') -FileVersion 6 -ErrorAction Stop } | Should -Throw -ErrorId 'FormatConflict,LinuxTrace.Commands.ExportTraceDataCommand'
    }

    It 'gives function calls, groups and histograms forms Export-Csv and ConvertTo-Json can write' {
        $calls = @(Get-FunctionCall (Join-Path $PSScriptRoot 'fixtures/graph-6.1.dat'))
        $root = $calls | Where-Object { -not $_.GetParent() -and $_.Children.Count -gt 2 } | Select-Object -First 1
        $root.Children[0].Caller | Should -Be $root.Function
        # a call's JSON is its subtree, each call once: it never climbs back up
        $json = $root | ConvertTo-Json -Depth 100 -Compress
        ([regex]::Matches($json, '"Function":')).Count | Should -Be @($root.Descendants()).Count
        $csvText = ($calls | Select-Object -First 200 | ConvertTo-Csv) -join "`n"
        $csvText | Should -Not -Match 'System\.Collections|FunctionCallList|LinuxTrace\.FunctionCall'
        ($root | ConvertTo-Csv)[1] | Should -Match ([regex]::Escape('"' + (($root.Children | ForEach-Object { "$($_.Function)()" }) -join ', ') + '"'))
        $g = Measure-TraceEvent -Path $Mixed -Event sys_enter -GroupBy ProcessName, id -Property id -Histogram | Select-Object -First 1
        $row = $g | ConvertTo-Csv | Select-Object -Skip 1 -First 1
        $row | Should -Not -Match 'System\.Collections|Dictionary|LinuxTrace\.TraceHistogram'
        ($g | ConvertTo-Csv | ConvertFrom-Csv).Keys | Should -Be $g.Group
        $cell = ($g | ConvertTo-Csv | ConvertFrom-Csv).Histogram
        $cell | Should -Be "$($g.Histogram)"
        $cell | Should -Not -Match "`n" -Because 'one line: every bucket with its count'
        ([regex]::Matches($cell, ': (\d+)') | ForEach-Object { [long]$_.Groups[1].Value } | Measure-Object -Sum).Sum | Should -Be $g.Histogram.Total
        ($g | ConvertTo-Json -Depth 4 | ConvertFrom-Json).Keys.id | Should -Be $g.id
    }
}

Describe 'Bad files' {
    BeforeAll {
        $script:Big = Join-Path $Work 'big.dat'
        Start-Trace -Event sched:sched_switch, raw_syscalls:sys_enter -Duration 00:00:00.5 -OutFile $Big
    }
    It 'names the file and offset of a truncated file' {
        $src = $Big
        $bytes = [IO.File]::ReadAllBytes($src)
        $cut = Join-Path $Work 'cut.dat'
        [IO.File]::WriteAllBytes($cut, $bytes[0..([int]($bytes.Length * 0.9))])
        $e = $null
        try { Get-TraceEvent $cut -ErrorAction Stop | Out-Null } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -Be 'InvalidTraceFile,LinuxTrace.Commands.GetTraceEventCommand'
        $e.CategoryInfo.Category | Should -Be 'InvalidData'
        $e.Exception.Message | Should -Match ([regex]::Escape($cut))
        $e.Exception.Message | Should -Match 'offset \d+'
        $e.Exception.Message | Should -Match 'truncated'
    }
    It 'reads the events before the cut of a version 6 file that ends inside its data, then says it is truncated' {
        $v6 = Join-Path $Work 'whole-v6.dat'
        Export-TraceData -Path $Big -OutFile $v6 -FileVersion 6
        $whole = @(Get-TraceEvent $v6 | ForEach-Object { "$($_.CpuNumber) $($_.TimestampNs) $($_.EventName)" })
        $bytes = [IO.File]::ReadAllBytes($v6)
        $cut = Join-Path $Work 'cut-v6.dat'
        # version 6 keeps its CPU table before the data: cut the last CPU's data in the middle
        [IO.File]::WriteAllBytes($cut, $bytes[0..([int]($bytes.Length - 3 * 4096 - 100))])
        $got = [System.Collections.Generic.List[string]]::new()
        $e = $null
        try { Get-TraceEvent $cut -ErrorAction Stop | ForEach-Object { $got.Add("$($_.CpuNumber) $($_.TimestampNs) $($_.EventName)") } } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -Be 'InvalidTraceFile,LinuxTrace.Commands.GetTraceEventCommand'
        $e.Exception.Message | Should -Match ([regex]::Escape($cut))
        $e.Exception.Message | Should -Match 'truncated'
        $got.Count | Should -BeGreaterThan 0 -Because 'the events before the cut are written first'
        $got.Count | Should -BeLessThan $whole.Count
        $known = [System.Collections.Generic.HashSet[string]]::new([string[]]$whole)
        @($got | Where-Object { -not $known.Contains($_) }) | Should -BeNullOrEmpty -Because 'every event read is one of the whole file''s'
        $info = Get-TraceFileInfo $cut -WarningVariable warned -WarningAction SilentlyContinue
        $info.Problem | Should -Match 'truncated'
        "$warned" | Should -Match 'truncated'
        $info.EventCount | Should -Be $got.Count
        # it is not copied as if it were whole
        $copy = Join-Path $Work 'cut-copy.dat'
        { Export-TraceData -Path $cut -OutFile $copy -ErrorAction Stop } | Should -Throw '*truncated*'
        Test-Path $copy | Should -BeFalse
    }
    It 'writes the events before a corrupt page, then says where the page is' {
        $src = $Big
        $bytes = [IO.File]::ReadAllBytes($src)
        $total = (Get-TraceFileInfo $src).EventCount
        # wreck a stretch of pages near the end of the data
        $at = ($bytes.Length - 5 * 4096) -band -bnot 4095   # data pages are the last part of the file
        for ($i = $at; $i -lt $at + 4096; $i++) { $bytes[$i] = 0xff }
        $bad = Join-Path $Work 'corrupt.dat'
        [IO.File]::WriteAllBytes($bad, $bytes)
        $got = [System.Collections.Generic.List[object]]::new()
        $e = $null
        try { Get-TraceEvent $bad -ErrorAction Stop | ForEach-Object { $got.Add($_) } } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -Be 'InvalidTraceFile,LinuxTrace.Commands.GetTraceEventCommand'
        $e.Exception.Message | Should -Match 'corrupt ring-buffer page'
        $got.Count | Should -BeGreaterThan 0
        $got.Count | Should -BeLessThan $total
    }
    It 'says what is wrong with a file that is not a trace' {
        $bad = Join-Path $Work 'not-a-trace.dat'
        Set-Content $bad 'definitely not a trace'
        { Get-TraceEvent $bad -ErrorAction Stop } | Should -Throw -ExpectedMessage '*bad magic*'
        { Get-TraceFileInfo $bad -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidTraceFile,LinuxTrace.Commands.GetTraceFileInfoCommand'
    }
    It 'names the bad file among several and still reads the others' {
        $dir = Join-Path $Work 'several'
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        Copy-Item $Big (Join-Path $dir 'a.dat')
        Set-Content (Join-Path $dir 'b.dat') 'definitely not a trace'
        Copy-Item $Big (Join-Path $dir 'c.dat')
        $e = $null
        $ev = @(Get-TraceEvent (Join-Path $dir '*.dat') -ErrorVariable e -ErrorAction SilentlyContinue)
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Be 'InvalidTraceFile,LinuxTrace.Commands.GetTraceEventCommand'
        $e[0].TargetObject | Should -Be (Join-Path $dir 'b.dat')
        $ev.Count | Should -Be (2 * @(Get-TraceEvent $Big).Count)
    }
    It 'says a directory is a directory, and names the file''s events for an unknown one' {
        $e = $null
        Get-TraceEvent $Work -ErrorVariable e -ErrorAction SilentlyContinue | Out-Null
        $e[0].FullyQualifiedErrorId | Should -Be 'PathIsDirectory,LinuxTrace.Commands.GetTraceEventCommand'
        $e[0].Exception.Message | Should -Match 'is a directory'
        $e = $null
        try { Get-TraceEvent $Big -Event sched:nothing_here -ErrorAction Stop | Out-Null } catch { $e = $_ }
        $e.FullyQualifiedErrorId | Should -Be 'EventNotFound,LinuxTrace.Commands.GetTraceEventCommand'
        $e.Exception.Message | Should -Match ([regex]::Escape("in $Big"))
        $e.Exception.Message | Should -Not -Match 'this kernel'
    }
}
