# Kernel stacks with events (Start-Trace -StackTrace, files with ftrace:kernel_stack records, both ways with trace-cmd)
# and flame graphs: the SVG's frames nest and add up, the folded text agrees with it, and a real browser draws it.
BeforeDiscovery { . $PSScriptRoot/KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StateBefore = Get-KernelTraceState
    $script:Switches = @(Start-Trace -Event sched:sched_switch -StackTrace -Duration 00:00:02 | Where-Object { $_ -is [LinuxTrace.TraceEvent] })

    # The frames of a flame-graph SVG: name, depth, offset and value (in samples or ns) from the data attributes.
    function Get-SvgFrames([string] $Path) {
        $xml = [xml](Get-Content -Raw $Path)
        $ns = [System.Xml.XmlNamespaceManager]::new($xml.NameTable)
        $ns.AddNamespace('s', 'http://www.w3.org/2000/svg')
        foreach ($g in $xml.SelectNodes("//s:g[@class='f']", $ns)) {
            [pscustomobject]@{ Name = $g.GetAttribute('data-n'); Depth = [int]$g.GetAttribute('data-d'); Offset = [long]$g.GetAttribute('data-o'); Value = [long]$g.GetAttribute('data-v'); Width = [double]$g.rect.width }
        }
    }
}
AfterAll {
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'Kernel stacks with events' {
    It 'Start-Trace -StackTrace gives every event its kernel stack, innermost first, and leaves the stacktrace option as it was' {
        $Switches.Count | Should -BeGreaterThan 10
        # the kernel writes the stack right after its event: only an event that recording stopped between the two
        # (the last one on its CPU) can be without one
        $without = @(for ($i = 0; $i -lt $Switches.Count; $i++) { if (-not $Switches[$i].Stack) { $i } })
        $without.Count | Should -BeLessOrEqual 1
        foreach ($i in $without) { @($Switches[($i + 1)..($Switches.Count)] | Where-Object CpuNumber -eq $Switches[$i].CpuNumber).Count | Should -Be 0 }
        @($Switches | Where-Object EventName -eq 'kernel_stack').Count | Should -Be 0 -Because 'the stack records are folded into their events'
        $s = $Switches[0]
        $s.Stack.Count | Should -Be $s.StackAddresses.Count
        $s.Stack | Should -Contain '__schedule'
        # innermost first: the tracepoint's own frames come before __schedule, the syscall entry after it
        [array]::IndexOf(@($s.Stack), '__schedule') | Should -BeLessThan ($s.Stack.Count - 1)
        "$(Get-Content "$Tracefs/options/stacktrace")" | Should -Be '0'
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It 'records stacks to a file that trace-cmd report shows under the same events, and reads them back' -Tag 'needs:trace-cmd' {
        $dat = Join-Path $TestDrive 'stacks.dat'
        Start-Trace -Event sched:sched_switch -StackTrace -Duration 00:00:01 -OutFile $dat
        $ours = @(Get-TraceEvent -LiteralPath $dat | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        $ours.Count | Should -BeGreaterThan 5
        # trace-cmd report, in time order: event lines, kernel_stack lines (the stack of the last event on the same CPU),
        # and "=> name (address)" lines under them
        $theirs = [System.Collections.Generic.List[object]]::new()
        $lastOnCpu = @{}; $cur = $null
        foreach ($l in & trace-cmd report -i $dat 2>$null) {
            if ($l -match '\[(\d+)\]\s+\d+\.\d+: sched_switch:') { $list = [System.Collections.Generic.List[string]]::new(); $theirs.Add($list); $lastOnCpu[$Matches[1]] = $list; $cur = $null }
            elseif ($l -match '\[(\d+)\]\s+\d+\.\d+: kernel_stack:') { $cur = $lastOnCpu[$Matches[1]]; $lastOnCpu.Remove($Matches[1]) }
            elseif ($l -match '^=> (\S+) \(' -and $null -ne $cur) { $cur.Add($Matches[1]) }
        }
        $theirs.Count | Should -Be $ours.Count
        $bad = for ($i = 0; $i -lt $ours.Count; $i++) { if (($ours[$i].Stack -join ' ') -ne ($theirs[$i] -join ' ')) { "#$i ours: $($ours[$i].Stack -join ' ') theirs: $($theirs[$i] -join ' ')" } }
        $bad | Select-Object -First 3 | Should -BeNullOrEmpty
    }

    It 'reads the stacks of a file trace-cmd recorded with -T' -Tag 'needs:trace-cmd' {
        $dat = Join-Path $TestDrive 'tc-stacks.dat'
        Invoke-TraceCmd @('record', '-q', '-d', '--no-filter', '-T', '-e', 'sched:sched_process_exec', '-o', $dat, '/bin/true')
        $exec = Get-TraceEvent -LiteralPath $dat -Event sched_process_exec | Select-Object -First 1
        $exec | Should -Not -BeNullOrEmpty
        $exec.Stack | Should -Contain 'bprm_execve'
    }
}

Describe 'User stacks with events' -Tag 'needs:cc' -Skip:(-not (Test-KernelFeature cc)) {
    BeforeAll {
        # main -> lt_outer -> lt_middle -> lt_inner, which makes the getppid system call itself; frame pointers kept
        $script:UStack = Get-TestProgram ustack -CompilerArguments '-O0', '-fno-omit-frame-pointer'
        $script:Expected = 'lt_inner lt_middle lt_outer main'
    }

    It 'Start-Trace -UserStackTrace gives each event the program''s stack, named from its ELF symbols, and puts the option back' {
        $ev = @(Start-Trace -Event syscalls:sys_enter_getppid -UserStackTrace -Command $UStack -ArgumentList 25 | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        $ev.Count | Should -Be 25
        # (the events whose stack does not start with the program's four frames, a missing stack among them: none)
        @($ev | Where-Object { (@($_.UserStack)[0..3] -join ' ') -ne $Expected }).Count | Should -Be 0
        $ev[0].UserStackAddresses.Count | Should -Be $ev[0].UserStack.Count
        $ev[0].Stack | Should -BeNullOrEmpty -Because 'no kernel stack was asked for'
        @($ev | Where-Object EventName -eq 'user_stack').Count | Should -Be 0 -Because 'the stack records are folded into their events'
        "$(Get-Content "$Tracefs/options/userstacktrace")" | Should -Be '0'
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It 'gives an event both stacks with -StackTrace, and a flame graph puts the user frames under the kernel ones' {
        $ev = @(Start-Trace -Event syscalls:sys_enter_getppid -StackTrace -UserStackTrace -Command $UStack -ArgumentList 5 | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        $ev.Count | Should -Be 5
        $ev | Where-Object { -not $_.Stack -or (@($_.UserStack)[0..3] -join ' ') -ne $Expected } | Should -BeNullOrEmpty
        $folded = Join-Path $TestDrive 'both.folded'
        $ev | Export-TraceFlameGraph -Path $folded -Format Folded
        $line = @(Get-Content $folded)
        $line.Count | Should -Be 1
        $frames = ($line[0] -split ' ')[0] -split ';'
        # root first: the user stack outermost first (libc's start code, main, ...), then the kernel stack
        $user = @($ev[0].UserStack); $kernel = @($ev[0].Stack)
        $frames -join ' ' | Should -Be ((@($user[($user.Count - 1)..0]) + @($kernel[($kernel.Count - 1)..0])) -join ' ')
        $at = [array]::IndexOf($frames, 'main')
        $frames[$at..($at + 3)] -join ' ' | Should -Be 'main lt_outer lt_middle lt_inner'
        $frames[$at + 4] | Should -Be $kernel[-1]
    }

    It 'writes the program''s maps into an -OutFile file: the stacks read back named, and trace-cmd reports the same addresses' -Tag 'needs:trace-cmd' {
        $dat = Join-Path $TestDrive 'ustack.dat'
        Start-Trace -Event syscalls:sys_enter_getppid -UserStackTrace -Command $UStack -ArgumentList 10 -OutFile $dat
        $ours = @(Get-TraceEvent -LiteralPath $dat | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        $ours.Count | Should -Be 10
        $ours | Where-Object { (@($_.UserStack)[0..3] -join ' ') -ne $Expected } | Should -BeNullOrEmpty
        # trace-cmd report: a user_stack line after each event with the first "=> 0xaddress", the other frames on the lines
        # after it (unused entries as 0x0)
        $theirs = [System.Collections.Generic.List[object]]::new(); $cur = $null
        foreach ($l in & trace-cmd report -i $dat 2>$null) {
            if ($l -match ': user_stack:') { $cur = [System.Collections.Generic.List[string]]::new(); $theirs.Add($cur) }
            elseif ($l -match ': \w+:') { $cur = $null }
            if ($null -ne $cur -and $l -match '=> (\S+)' -and $Matches[1] -ne '0x0') { $cur.Add($Matches[1]) }
        }
        $theirs.Count | Should -Be $ours.Count
        $bad = for ($i = 0; $i -lt $ours.Count; $i++) {
            $a = @($ours[$i].UserStackAddresses | ForEach-Object { '0x{0:x}' -f $_ })
            if (($a -join ' ') -ne ($theirs[$i] -join ' ')) { "#$i ours: $a theirs: $($theirs[$i])" }
        }
        $bad | Select-Object -First 3 | Should -BeNullOrEmpty
    }

    It 'a session''s exported buffer carries the maps of its program, which is still running' {
        $s = Start-Trace -AsSession -Event syscalls:sys_enter_getppid -UserStackTrace -Command $UStack -ArgumentList 7, 3000
        try {
            # the program has made its seven system calls when it sleeps (clock_nanosleep, or nanosleep: /proc/PID/syscall)
            Wait-Until { $s.CommandProcessId -and (Get-Content "/proc/$($s.CommandProcessId)/comm" -ErrorAction SilentlyContinue) -eq 'ustack' -and
                "$(Get-Content "/proc/$($s.CommandProcessId)/syscall" -ErrorAction SilentlyContinue)" -match '^(230|35) ' } -Because 'the program to sleep after its system calls'
            $dat = Join-Path $TestDrive 'session-ustack.dat'
            $s | Export-TraceData -OutFile $dat
        }
        finally { $s | Stop-Trace | Out-Null }
        $ev = @(Get-TraceEvent -LiteralPath $dat | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
        $ev.Count | Should -Be 7
        $ev | Where-Object { (@($_.UserStack)[0..3] -join ' ') -ne $Expected } | Should -BeNullOrEmpty
    }

    It 'resolves the user stacks of a file trace-cmd recorded with --proc-map' -Tag 'needs:trace-cmd' {
        $dat = Join-Path $TestDrive 'tc-ustack.dat'
        Invoke-TraceCmd @('record', '-q', '-d', '--no-filter', '--proc-map', '-O', 'userstacktrace', '-e', 'syscalls:sys_enter_getppid', '-o', $dat, '-F', $UStack, '5')
        $ev = @(Get-TraceEvent -LiteralPath $dat -Event sys_enter_getppid | Where-Object ProcessName -eq 'ustack')
        $ev.Count | Should -Be 5
        @($ev | Where-Object { (@($_.UserStack)[0..3] -join ' ') -ne $Expected }).Count | Should -Be 0
    }
}

Describe 'Flame graphs' {
    It 'draws off-CPU time as an SVG whose frames nest by stack and whose widths add up to their parents''' {
        $svg = Join-Path $TestDrive 'off.svg'
        $Switches | Export-TraceFlameGraph -Path $svg -OffCpu -ByProcess -WarningAction SilentlyContinue
        $frames = @(Get-SvgFrames $svg)
        $frames.Name | Should -Contain '__schedule'
        $root = $frames | Where-Object Depth -eq 0
        $root.Value | Should -BeGreaterThan 0
        # every frame lies inside one frame a level down, and the frames on it never add up to more than it
        $problems = foreach ($f in $frames | Where-Object Depth -gt 0) {
            $parent = @($frames | Where-Object { $_.Depth -eq $f.Depth - 1 -and $_.Offset -le $f.Offset -and $_.Offset + $_.Value -ge $f.Offset + $f.Value })
            if ($parent.Count -ne 1) { "$($f.Name) at depth $($f.Depth) has $($parent.Count) parents" }
        }
        foreach ($p in $frames) {
            $kids = @($frames | Where-Object { $_.Depth -eq $p.Depth + 1 -and $_.Offset -ge $p.Offset -and $_.Offset -lt $p.Offset + $p.Value })
            $sum = ($kids | Measure-Object Value -Sum).Sum
            if ($sum -gt $p.Value) { "$($p.Name): children $sum > $($p.Value)" }
            $w = ($kids | Measure-Object Width -Sum).Sum
            if ($kids -and $w -gt $p.Width + 0.01 * $kids.Count) { "$($p.Name): children $w px > $($p.Width) px" }
        }
        $problems | Select-Object -First 5 | Should -BeNullOrEmpty
        # the root is all the samples: its children are the processes and fill it exactly
        (($frames | Where-Object Depth -eq 1 | Measure-Object Value -Sum).Sum) | Should -Be $root.Value
    }

    It 'writes folded stacks that add up to the same total, one line per distinct stack' {
        $folded = Join-Path $TestDrive 'count.folded'
        $svg = Join-Path $TestDrive 'count.svg'
        $Switches | Export-TraceFlameGraph -Path $folded -Format Folded -WarningAction SilentlyContinue
        $Switches | Export-TraceFlameGraph -Path $svg -WarningAction SilentlyContinue
        $lines = Get-Content $folded
        $lines | Where-Object { $_ -notmatch '^[^ ]+( [^ ]+)* \d+$' } | Should -BeNullOrEmpty
        $withStack = @($Switches | Where-Object Stack).Count
        ($lines | ForEach-Object { [long]($_ -split ' ')[-1] } | Measure-Object -Sum).Sum | Should -Be $withStack
        ((Get-SvgFrames $svg) | Where-Object Depth -eq 0).Value | Should -Be $withStack
        @($lines | Sort-Object -Unique).Count | Should -Be $lines.Count
    }

    It 'says what is missing when events have no stacks' {
        $plain = @(Start-Trace -Event sched:sched_switch -Duration 00:00:01 | Select-Object -First 5)
        $e = try { $plain | Export-TraceFlameGraph -Path (Join-Path $TestDrive 'none.svg') -ErrorAction Stop; $null } catch { $_ }
        $e.FullyQualifiedErrorId | Should -BeLike 'NoStacks*'
        $e.Exception.Message | Should -Match 'StackTrace'
        Test-Path (Join-Path $TestDrive 'none.svg') | Should -BeFalse
    }

    It 'draws in a real browser (chromium --headless --screenshot)' -Tag 'needs:chromium' -Skip:(-not (Test-KernelFeature chromium)) {
        $svg = Join-Path $TestDrive 'shot.svg'
        $png = Join-Path $TestDrive 'shot.png'
        $Switches | Export-TraceFlameGraph -Path $svg -OffCpu -ByProcess -WarningAction SilentlyContinue
        $browser = (Get-Command chromium -CommandType Application | Select-Object -First 1).Source
        & timeout 120 $browser --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,700 "--screenshot=$png" "file://$svg" 2>&1 | Out-Null
        Test-Path $png | Should -BeTrue
        # the screenshot has the flame graph's colors: count the distinct pixel colors of the PNG
        $colors = & python3 -c @'
import sys, zlib, struct
d = open(sys.argv[1], 'rb').read(); pos = 8; idat = b''; w = h = 0
while pos < len(d):
    n, t = struct.unpack('>I4s', d[pos:pos+8]); body = d[pos+8:pos+8+n]; pos += 12 + n
    if t == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
    elif t == b'IDAT': idat += body
raw = zlib.decompress(idat); bpp = 4 if ctype == 6 else 3; stride = w * bpp
rows = []; prev = bytearray(stride); i = 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i+1:i+1+stride]); i += 1 + stride
    for x in range(stride):
        a = line[x-bpp] if x >= bpp else 0; b = prev[x]; c = prev[x-bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line)); prev = line
print(len({r[x:x+3] for r in rows[::4] for x in range(0, stride, bpp * 4)}))
'@ $png
        [int]$colors | Should -BeGreaterThan 20 -Because 'a blank or broken page has a handful of colors; frames of many functions have many'
    }
}

Describe 'Event triggers for one trace (Start-Trace -Trigger)' {
    It 'a stacktrace trigger records a stack only with the events its filter matches' {
        $file = Join-Path $TestDrive 'created'
        # sh's two redirections open with O_CREAT (0x40); its own loader's opens do not
        $e = @(Start-Trace -Event syscalls:sys_enter_openat -Trigger 'stacktrace if flags & 0x40' -Command sh -ArgumentList '-c', "cat /etc/hostname > /dev/null; : > '$file'")
        $created = @($e | Where-Object { $_.flags -band 0x40 })
        $others = @($e | Where-Object { -not ($_.flags -band 0x40) })
        $created.Count | Should -BeGreaterOrEqual 2
        $others.Count | Should -BeGreaterThan 0
        foreach ($x in $created) { $x.Stack | Should -Contain 'do_syscall_64' }
        @($others | Where-Object Stack).Count | Should -Be 0 -Because 'the trigger''s filter keeps their stacks out in the kernel'
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It 'an enable_event trigger''s event is recorded from the first match on, without being named in -Event' {
        $e = @(Start-Trace -Event syscalls:sys_enter_openat -Trigger 'enable_event:syscalls:sys_enter_close' -Command cat -ArgumentList /etc/hostname)
        $opens = @($e | Where-Object EventName -eq 'sys_enter_openat')
        $closes = @($e | Where-Object EventName -eq 'sys_enter_close')
        $opens.Count | Should -BeGreaterThan 0
        $closes.Count | Should -BeGreaterThan 0 -Because 'cat closes what it opened'
        @($closes | Where-Object TimestampNs -lt $opens[0].TimestampNs).Count | Should -Be 0 -Because 'close is only soft-enabled until the first openat'
    }

    It 'a trigger the kernel refuses is an error that says which part and why, and leaves nothing' -ForEach @(
        @{ Trigger = 'stacktrace if nosuch == 1'; Says = 'Field not found' }
        @{ Trigger = 'nosuchtrigger'; Says = "no 'nosuchtrigger' trigger; it has .*stacktrace" }
        @{ Trigger = 'stacktrace:x'; Says = "count 'x' is not a whole number" }
        @{ Trigger = 'enable_event:sched:no_such_event'; Says = 'no event sched:no_such_event' }
    ) {
        $err = $null
        try { Start-Trace -Event sched:sched_switch -Trigger $Trigger -Duration 00:00:01 } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'BadTrigger,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match $Says
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It 'completes the trigger commands this kernel has, and the events enable_event can switch' {
        Get-Completion 'Start-Trace -Event sched:sched_switch -Trigger stack' | Should -Contain 'stacktrace'
        Get-Completion 'Start-Trace -Event sched:sched_switch -Trigger ena' | Should -Contain 'enable_event:'
        Get-Completion 'Start-Trace -Event sched:sched_switch -Trigger enable_event:sched:sched_wak' | Should -Contain 'enable_event:sched:sched_wakeup'
        Get-Completion 'Start-Trace -Event sched:sched_switch -Trigger nosuch' | Should -BeNullOrEmpty
    }

    It 'triggers added to a borrowed instance are removed when the trace ends; its events and filters are put back' {
        $name = New-TestInstanceName
        New-TraceInstance $name | Out-Null
        try {
            $s = Start-Trace -Event sched:sched_switch -Instance $name -Trigger 'stacktrace if prev_pid > 0', 'traceoff:1 if prev_pid == -1' -AsSession
            $live = (Get-Content "$Tracefs/instances/$name/events/sched/sched_switch/trigger") -notmatch '^#'
            $live | Should -HaveCount 2
            Wait-Until { @(Get-TraceEvent -Session $s | Where-Object Stack) } -Because 'switches with stacks' | Out-Null
            $s | Stop-Trace
            @((Get-Content "$Tracefs/instances/$name/events/sched/sched_switch/trigger") -notmatch '^#') | Should -HaveCount 0
            (Get-Content "$Tracefs/instances/$name/events/sched/sched_switch/enable" -Raw).Trim() | Should -Be '0'
        }
        finally { Remove-TraceInstance $name -Confirm:$false }
    }
}
