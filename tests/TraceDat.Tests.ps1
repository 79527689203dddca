BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:TracingOnBefore = "$(Get-Content "$Tracefs/tracing_on" -Raw)".Trim()
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "lt-pester-dat-$PID"
    New-Item -ItemType Directory -Path $Work -Force | Out-Null
    $script:Events = 'sched:sched_switch', 'sched:sched_wakeup', 'sched:sched_process_exec', 'sched:sched_process_fork', 'sched:sched_process_exit', 'raw_syscalls:sys_enter', 'raw_syscalls:sys_exit'
    $script:Workload = 'for i in 1 2 3; do ls / > /dev/null; done'
}
AfterAll {
    Remove-Item $Work -Recurse -Force -ErrorAction SilentlyContinue
    Get-OurInstance | Should -BeNullOrEmpty
    "$(Get-Content "$Tracefs/tracing_on" -Raw)".Trim() | Should -Be $script:TracingOnBefore
}

Describe 'Reading files trace-cmd wrote' -Skip:(-not (Get-Command trace-cmd -ErrorAction SilentlyContinue)) {
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

    It 'reads each buffer of a file recorded with an instance (-Buffer)' {
        $dat = Join-Path $Work 'multi.dat'
        $buf = "ltbuf$PID"
        Invoke-TraceCmd @('record', '-q', '-d', '--no-filter', '-o', $dat, '-e', 'sched:sched_process_exec', '-B', $buf, '-e', 'sched:sched_switch', 'bash', '-c', $Workload)
        Test-Path "$Tracefs/instances/$buf" | Should -BeFalse
        (Get-TraceFileInfo $dat).Buffers | Should -Contain $buf
        (Get-TraceEvent $dat | Group-Object Name).Name | Should -Be 'sched_process_exec'
        (Get-TraceEvent $dat -Buffer $buf | Group-Object Name).Name | Should -Be 'sched_switch'
        { Get-TraceEvent $dat -Buffer nope -ErrorAction Stop } | Should -Throw -ErrorId 'BufferNotFound,LinuxTrace.Commands.GetTraceEventCommand'
    }

    It 'merges several files, filters by event, time and CPU, and pipes from Get-ChildItem' {
        $files = Get-ChildItem $Work -Filter 'tc-v7-*.dat'
        $all = @($files | Get-TraceEvent)
        $all.Count | Should -Be (($files | ForEach-Object { (Get-TraceFileInfo -LiteralPath $_.FullName).EventCount } | Measure-Object -Sum).Sum)
        $sorted = $true
        for ($i = 1; $i -lt $all.Count; $i++) { if ($all[$i].TimestampNs -lt $all[$i - 1].TimestampNs) { $sorted = $false; break } }
        $sorted | Should -BeTrue
        $one = $files[0].FullName
        $exec = @(Get-TraceEvent $one -Event sched_process_exec)
        $exec.Count | Should -BeGreaterThan 0
        $exec | Where-Object Name -ne sched_process_exec | Should -BeNullOrEmpty
        $mid = $all[[int]($all.Count / 2)].Timestamp
        Get-TraceEvent $one -StartTime $mid | Where-Object { $_.Timestamp -lt $mid } | Should -BeNullOrEmpty
        Get-TraceEvent $one -Cpu 1 | Where-Object Cpu -ne 1 | Should -BeNullOrEmpty
    }
}

Describe 'Writing files trace-cmd reads' -Skip:(-not (Get-Command trace-cmd -ErrorAction SilentlyContinue)) {
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
            Start-Sleep -Milliseconds 300
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
        Export-TraceData -Path $out -OutFile (Join-Path $Work 'whatif.dat') -WhatIf
        Test-Path (Join-Path $Work 'whatif.dat') | Should -BeFalse
    }
}

Describe 'Bad files' {
    It 'names the file and offset of a truncated file' {
        $src = Join-Path $Work 'big.dat'
        Start-Trace -Event sched:sched_switch, raw_syscalls:sys_enter -Duration 00:00:00.5 -OutFile $src
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
    It 'writes the events before a corrupt page, then says where the page is' {
        $src = Join-Path $Work 'big.dat'
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
}
