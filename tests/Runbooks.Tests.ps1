# Runbooks: named traces that outlive the process that starts them (Start-Trace -Detached), found, read and stopped by
# name from other processes; and the exit codes scripts see from bash (pwsh -c '...; exit $LASTEXITCODE').
BeforeDiscovery { . $PSScriptRoot/KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/Common.ps1
    Import-Module $PSScriptRoot/TestRunner.psm1 -Force
    $script:StateBefore = Get-KernelTraceState
    $script:Pwsh = Get-PwshCommand
    $script:Import = "Import-Module '$RepoRoot/LinuxTrace.psd1'"

    # Runs a pwsh -c command line from bash, as a cron job or CI step would, and returns what bash saw: its exit status
    # and the output. The command line is passed as one argument (no quoting through the shell).
    function Invoke-PwshFromBash([string] $Command, [hashtable] $Environment = @{}) {
        $psi = [Diagnostics.ProcessStartInfo]::new('bash')
        foreach ($a in @('-c', '"$@"; echo "bash-saw:$?"', 'bash') + $script:Pwsh + @('-NoProfile', '-NonInteractive', '-Command', "$script:Import; $Command")) { $psi.ArgumentList.Add($a) }
        foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
        $p = [Diagnostics.Process]::Start($psi)
        $err = $p.StandardError.ReadToEndAsync()
        $out = $p.StandardOutput.ReadToEnd()
        if (-not $p.WaitForExit(180000)) { $p.Kill($true); throw "pwsh did not end: $out" }
        $text = $out + $err.Result
        $code = if ($out -match 'bash-saw:(\d+)') { [int]$Matches[1] } else { -1 }
        [pscustomobject]@{ ExitCode = $code; Output = $text }
    }

    function New-TraceName { "lt-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 6))" }
    function Get-DetachedInstance([string] $Name) { Get-Item "$script:Tracefs/instances/linuxtrace-detached-$Name" -ErrorAction SilentlyContinue }
}

AfterAll {
    Get-ChildItem "$script:Tracefs/instances" -Directory -Filter "linuxtrace-detached-lt-$PID-*" | ForEach-Object { Stop-Trace ($_.Name -replace '^linuxtrace-detached-') -ErrorAction SilentlyContinue }
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'Detached traces: start in one process, find, read and stop in others' {
    It 'a trace started with -Detached records after its pwsh exits, is listed, read and stopped from other processes' {
        $name = New-TraceName
        $start = Invoke-PwshFromBash "Start-Trace -Event sched:sched_process_exec -Name $name -Detached | Out-Null; exit `$LASTEXITCODE"
        $start.ExitCode | Should -Be 0 -Because $start.Output
        try {
            Get-DetachedInstance $name | Should -Not -BeNullOrEmpty -Because 'the trace goes on after its process exited'
            (Get-Content "$script:Tracefs/instances/linuxtrace-detached-$name/tracing_on") | Should -Be '1'

            # listed here, with what it is
            $t = Get-TraceSession $name
            $t | Should -BeOfType ([LinuxTrace.Engine.Sessions.DetachedTrace])
            $t.State | Should -Be 'Detached'
            $t.Events | Should -Be @('sched:sched_process_exec')
            $t.Recording | Should -BeTrue
            $t.Age | Should -BeLessThan ([TimeSpan]::FromMinutes(3))
            $t.Age | Should -BeGreaterThan ([TimeSpan]::Zero)
            # its table, at 80 columns: the name, whether it records, and its events
            $row = ($t | Out-String -Width 80) -split "`n" | Where-Object { $_ -like "$name *" }
            $row | Should -Match "^$name\s+\d\.\d\d:\d\d:\d\d\s+True\s+\d+\s+0\s+sched:sched_proces"

            # it records what runs now; Get-TraceEvent -Name reads (and consumes) it while it goes on
            $first = "lt-first-$PID"
            bash -c "exec -a $first /bin/true"
            /bin/echo first | Out-Null
            $read = @(Get-TraceEvent -Name $name)
            @($read | Where-Object { $_.filename -eq '/bin/echo' -or $_.filename -eq '/usr/bin/echo' }).Count | Should -BeGreaterOrEqual 1
            (Get-TraceSession $name).Recording | Should -BeTrue

            # stopped from a third process, into a file: only what came after the read, and the instance gone
            /usr/bin/env true | Out-Null
            $f = Join-Path $TestDrive "$name.dat"
            $stop = Invoke-PwshFromBash "Stop-Trace $name -OutFile '$f'; exit `$LASTEXITCODE"
            $stop.ExitCode | Should -Be 0 -Because $stop.Output
            Get-DetachedInstance $name | Should -BeNullOrEmpty
            $events = @(Get-TraceEvent $f)
            @($events | Where-Object filename -like '*/env').Count | Should -BeGreaterOrEqual 1
            @($events | Where-Object filename -like '*/echo').Count | Should -Be 0 -Because 'Get-TraceEvent -Name consumed those'
            Get-TraceSession $name -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
        finally {
            if (Get-DetachedInstance $name) { Stop-Trace $name -ErrorAction SilentlyContinue }
        }
    }

    It 'is never taken for an orphan by another trace, and is still stopped by name after its starter was killed' {
        $name = New-TraceName
        # the starter dies by SIGKILL right after detaching: nothing of it runs any more
        $start = Invoke-PwshFromBash "Start-Trace -Event sched:sched_process_exit -Name $name -Detached | Out-Null; [Diagnostics.Process]::GetCurrentProcess().Kill()"
        $start.ExitCode | Should -Be 137 -Because "bash sees SIGKILL ($($start.Output))"
        try {
            Get-DetachedInstance $name | Should -Not -BeNullOrEmpty
            # a trace's start removes instances whose owner is gone: not this one
            $s = Start-Trace -Event sched:sched_process_fork -AsSession
            try {
                $s.RemovedOrphans | Should -Not -Contain "linuxtrace-detached-$name"
                Get-DetachedInstance $name | Should -Not -BeNullOrEmpty
                (Get-TraceInstance "linuxtrace-detached-$name").IsOrphan | Should -BeFalse
            }
            finally { $s | Stop-Trace }
            /bin/true
            $sum = Stop-Trace $name -PassThru
            $sum.Name | Should -Be $name
            $sum.EventCount | Should -BeGreaterThan 0
            Get-DetachedInstance $name | Should -BeNullOrEmpty
        }
        finally {
            if (Get-DetachedInstance $name) { Stop-Trace $name -ErrorAction SilentlyContinue }
        }
    }

    It 'Get-TraceSession | Stop-Trace stops this process''s sessions and detached traces alike' {
        $name = New-TraceName
        Start-Trace -Event sched:sched_process_exec -Name $name -Detached | Out-Null
        $s = Start-Trace -Event sched:sched_process_exit -Name "$name-own" -AsSession
        $sums = @(Get-TraceSession "$name*" | Stop-Trace -PassThru)
        @($sums.Name | Sort-Object) | Should -Be @($name, "$name-own")
        $s.State | Should -Be 'Stopped'
        Get-DetachedInstance $name | Should -BeNullOrEmpty
    }

    It 'Stop-Trace -WhatIf leaves a detached trace recording, its buffer unread' {
        $name = New-TraceName
        Start-Trace -Event sched:sched_process_exec -Name $name -Detached | Out-Null
        try {
            /bin/true
            $before = (Get-TraceSession $name).EventCount
            $before | Should -BeGreaterThan 0
            $f = Join-Path $TestDrive 'whatif.dat'
            Stop-Trace $name -OutFile $f -WhatIf
            $f | Should -Not -Exist
            $t = Get-TraceSession $name
            $t.Recording | Should -BeTrue
            $t.EventCount | Should -BeGreaterOrEqual $before
        }
        finally { Stop-Trace $name }
    }

    It 'Stop-Trace NAME binds the name positionally, for a session of this process too' {
        $name = New-TraceName
        $s = Start-Trace -Event sched:sched_process_exec -Name $name -AsSession
        $sum = Stop-Trace $name -PassThru
        $sum.Name | Should -Be $name
        $s.State | Should -Be 'Stopped'
    }

    It 'refuses <Case> with a clear error, and leaves nothing behind' -ForEach @(
        @{ Case = '-Command'; Extra = @{ Command = '/bin/true' }; Id = 'DetachedTraceRefused'; Says = '-ProcessId' }
        @{ Case = '-Duration'; Extra = @{ Duration = [TimeSpan]::FromSeconds(1) }; Id = 'DetachedTraceRefused'; Says = 'Stop-Trace' }
        @{ Case = '-Instance'; Extra = @{ Instance = 'lt-x' }; Id = 'DetachedTraceRefused'; Says = '-Instance' }
        @{ Case = 'a name with a slash'; Extra = @{}; Name = 'a/b'; Id = 'BadTraceName'; Says = 'letters, digits' }
    ) {
        $n = if ($Name) { $Name } else { New-TraceName }
        $err = Get-Failure { Start-Trace -Event sched:sched_process_exec -Name $n -Detached @Extra }
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        "$err" | Should -BeLike "*$Says*"
        Get-ChildItem "$script:Tracefs/instances" -Directory -Filter 'linuxtrace-detached-*' | Where-Object Name -like "*$n*" | Should -BeNullOrEmpty
    }

    It 'a second detached trace of the same name is refused and the first goes on' {
        $name = New-TraceName
        Start-Trace -Event sched:sched_process_exec -Name $name -Detached | Out-Null
        try {
            $err = Get-Failure { Start-Trace -Event sched:sched_process_exit -Name $name -Detached }
            $err.FullyQualifiedErrorId | Should -BeLike 'DetachedTraceExists,*'
            "$err" | Should -BeLike "*Stop-Trace $name*"
            (Get-TraceSession $name).Events | Should -Be @('sched:sched_process_exec')
        }
        finally { Stop-Trace $name }
    }

    It 'a detached trace whose buffer overran says so when stopped, and exits 3' {
        $name = New-TraceName
        Start-Trace -Event raw_syscalls:sys_enter -Name $name -Detached -BufferSizeKB 8 | Out-Null
        try {
            dd if=/dev/zero of=/dev/null bs=1 count=200000 2>$null
            (Get-TraceSession $name).LostEventCount | Should -BeGreaterThan 0
        }
        finally {
            $stop = Invoke-PwshFromBash "Stop-Trace $name; exit `$LASTEXITCODE"
        }
        $stop.ExitCode | Should -Be 3 -Because $stop.Output
        $stop.Output | Should -Match 'lost \d+ events'
        Get-DetachedInstance $name | Should -BeNullOrEmpty
    }
}

Describe 'Exit codes seen from bash' {
    It '0: the trace ran and recorded events' {
        $f = Join-Path $TestDrive 'ok.dat'
        $r = Invoke-PwshFromBash "Start-Trace -Event sched:sched_process_exec -Command /bin/true -OutFile '$f'; exit `$LASTEXITCODE"
        $r.ExitCode | Should -Be 0 -Because $r.Output
        (Get-TraceFileInfo $f).EventCount | Should -BeGreaterThan 0
    }

    It '2: the trace ran and recorded nothing' {
        $r = Invoke-PwshFromBash "Start-Trace -Event syscalls:sys_enter_reboot -Command /bin/true | Out-Null; exit `$LASTEXITCODE"
        $r.ExitCode | Should -Be 2 -Because $r.Output
        $r.Output | Should -Match 'recorded no events'
    }

    It '4: tracefs is not where LinuxTrace looks' {
        $empty = New-Item -ItemType Directory (Join-Path $TestDrive 'no-tracefs')
        $r = Invoke-PwshFromBash "Start-Trace -Event sched:sched_process_exec -Command /bin/true | Out-Null; exit `$LASTEXITCODE" @{ LINUXTRACE_TRACEFS = $empty.FullName }
        $r.ExitCode | Should -Be 4 -Because $r.Output
    }

    It '4: the host refuses the function tracer' -Tag 'needs:function-locked' -Skip:(-not (Test-KernelFeature function-locked)) {
        $r = Invoke-PwshFromBash "Start-Trace -Tracer function -Function vfs_read -Command /bin/true | Out-Null; exit `$LASTEXITCODE"
        $r.ExitCode | Should -Be 4 -Because $r.Output
    }

    It '1: any other failure (an event that does not exist)' {
        $r = Invoke-PwshFromBash "Start-Trace -Event sched:no_such_event -Command /bin/true | Out-Null; exit `$LASTEXITCODE"
        $r.ExitCode | Should -Be 1 -Because $r.Output
    }

    It 'Stop-Trace of a detached trace that recorded nothing exits 2' {
        $name = New-TraceName
        Start-Trace -Event syscalls:sys_enter_reboot -Name $name -Detached | Out-Null
        $r = Invoke-PwshFromBash "Stop-Trace $name; exit `$LASTEXITCODE"
        $r.ExitCode | Should -Be 2 -Because $r.Output
        Get-DetachedInstance $name | Should -BeNullOrEmpty
    }
}
