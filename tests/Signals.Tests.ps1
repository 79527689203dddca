# Every way a process ends: SIGTERM, SIGHUP and SIGINT to a pwsh that is tracing (streaming or recording to a file,
# interactive in a pseudo-terminal or not) end the trace cleanly, write the file, remove the instance, and end pwsh
# (or only the command) exactly as the same signal does during Start-Sleep; SIGKILL cannot be caught, and the next trace removes the orphan (but never a live owner's instance).
BeforeDiscovery {
    . $PSScriptRoot/KernelFeatures.ps1
    $script:Cases = foreach ($signal in 'TERM', 'HUP', 'INT') { foreach ($mode in 'stream', 'file') { foreach ($tty in $false, $true) { @{ Signal = $signal; Mode = $mode; Interactive = $tty } } } }
}
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StateBefore = Get-KernelTraceState
    $script:Pty = Join-Path $PSScriptRoot 'programs/in_pty.py'

    # Starts a pwsh (in a pseudo-terminal when Interactive) that runs Body and then writes 'after-trace'.
    function Start-ChildPwsh([string] $Body, [bool] $Interactive) {
        $line = "Import-Module '$RepoRoot/LinuxTrace.psd1'; `$n = 0; $Body; 'after-' + 'trace'"
        $pwsh = Get-PwshCommand
        $log = Join-Path $TestDrive "child-$([guid]::NewGuid().ToString('N')).log"
        # through env --default-signal: a run started under nohup or in a background job (SIGHUP, SIGINT ignored, which
        # exec hands down) must not change what the child does with the signals under test
        $psi = [Diagnostics.ProcessStartInfo]::new('env')
        $argv = @('--default-signal=HUP,INT,TERM') + $(if ($Interactive) { @('python3', $Pty, $log, '120', '--') + $pwsh + @('-NoProfile') } else { $pwsh + @('-NoProfile', '-NonInteractive', '-Command', $line) })
        foreach ($a in $argv) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardInput = $true
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = -not $Interactive
        $p = [Diagnostics.Process]::Start($psi)
        $errors = if (-not $Interactive) { $p.StandardError.ReadToEndAsync() }
        $childPid = $p.Id
        if ($Interactive) {
            $childPid = [int]$p.StandardOutput.ReadLine()
            $p.StandardInput.WriteLine('?PS ')
            $p.StandardInput.WriteLine($line)
            $p.StandardInput.Flush()
        }
        [pscustomobject]@{ Process = $p; Pid = $childPid; Log = $log; Interactive = $Interactive; Errors = $errors; Instance = $null }
    }

    # A pwsh that traces sched_switch (and raw_syscalls), once its instance has recorded events.
    function Start-TracingPwsh([string] $Mode, [bool] $Interactive, [string] $OutFile) {
        $trace = if ($Mode -eq 'file') { "Start-Trace -Event sched:sched_switch, raw_syscalls:sys_enter -OutFile '$OutFile' -Duration 00:02:00" }
                 else { "Start-Trace -Event sched:sched_switch, raw_syscalls:sys_enter -Duration 00:02:00 | ForEach-Object { `$n++ }" }
        $child = Start-ChildPwsh $trace $Interactive
        $child.Instance = Wait-Until { Get-ChildItem "$Tracefs/instances" -Directory -Name | Where-Object { $_ -like "linuxtrace-$($child.Pid)-*" } } -TimeoutSeconds 60 -Because "the child's trace to start"
        Wait-Until { (Get-TraceStatus -Instance $child.Instance).CpuStats.ReadEvents | Measure-Object -Sum | Where-Object Sum -gt 0 } -TimeoutSeconds 30 -Because 'events to be read' | Out-Null
        $child
    }

    # What pwsh itself does with the signal while a command runs (Start-Sleep): the trace must end the same way.
    $script:Baseline = @{}
    function Get-Baseline([string] $Signal, [bool] $Interactive) {
        $key = "$Signal/$Interactive"
        if (-not $Baseline.ContainsKey($key)) {
            $child = Start-ChildPwsh "[Console]::Out.WriteLine('sle' + 'eping'); Start-Sleep 120" $Interactive
            try {
                Wait-Until { if ($Interactive) { (Test-Path $child.Log) -and (Get-Content $child.Log -Raw) -match 'sleeping' } else { $child.Process.StandardOutput.ReadLine() -eq 'sleeping' } } -TimeoutSeconds 60 -Because 'the baseline to sleep' | Out-Null
                # Start-Sleep waits on a futex on the thread that runs the command: signal it only once it waits there
                Wait-Until { @(Get-ChildItem "/proc/$($child.Pid)/task" -Directory -ErrorAction SilentlyContinue | Where-Object {
                            "$(Get-Content "$($_.FullName)/comm" -ErrorAction SilentlyContinue)" -eq 'Pipeline Execut' -and
                            "$(Get-Content "$($_.FullName)/syscall" -ErrorAction SilentlyContinue)" -match '^202 ' }).Count -gt 0 } -TimeoutSeconds 30 -Because 'the baseline''s command thread to wait in Start-Sleep' | Out-Null
                $Baseline[$key] = Stop-ChildPwsh $child $Signal
            }
            finally { if (-not $child.Process.HasExited) { $child.Process.Kill($true) } }
        }
        $Baseline[$key]
    }

    # Sends the signal; after Ctrl+C in a terminal, the prompt comes back and the child is told to leave.
    function Stop-ChildPwsh($Child, [string] $Signal) {
        & kill "-$Signal" $Child.Pid
        if ($Signal -eq 'INT' -and $Child.Interactive) {
            $Child.Process.StandardInput.WriteLine("Write-Output ('ba' + 'ck:' + @(Get-ChildItem $Tracefs/instances -Name | Where-Object { `$_ -like 'linuxtrace-$($Child.Pid)-*' }).Count)")
            $Child.Process.StandardInput.WriteLine('?back:')
            $Child.Process.StandardInput.WriteLine('exit 7')
            $Child.Process.StandardInput.Flush()
        }
        Wait-Exit $Child
    }

    function Wait-Exit($Child, [double] $TimeoutSeconds = 60) {
        $Child.Process.WaitForExit([int]($TimeoutSeconds * 1000)) | Should -BeTrue -Because 'the child ends'
        $out = if ($Child.Interactive) { Get-Content $Child.Log -Raw } else { $Child.Process.StandardOutput.ReadToEnd() + $Child.Errors.GetAwaiter().GetResult() }
        [pscustomobject]@{ ExitCode = $Child.Process.ExitCode; Output = "$out" }
    }
}
AfterAll {
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'A tracing pwsh that is asked to end' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
    It 'SIG<Signal> to pwsh <Mode> (interactive: <Interactive>) ends the trace cleanly' -ForEach $Cases {
        $dat = Join-Path $TestDrive "sig-$Signal-$Mode-$Interactive.dat"
        $expected = Get-Baseline $Signal $Interactive
        $child = Start-TracingPwsh $Mode $Interactive $dat
        try { $r = Stop-ChildPwsh $child $Signal }
        finally { if (-not $child.Process.HasExited) { $child.Process.Kill($true) } }
        $r.ExitCode | Should -Be $expected.ExitCode -Because "pwsh ends so under SIG$Signal in Start-Sleep (output: $($r.Output))"
        ($r.Output -match 'after-trace') | Should -Be ($expected.Output -match 'after-trace') -Because 'the script runs on after the command exactly when it would after Start-Sleep'
        if ($Signal -eq 'INT' -and $Interactive) { $r.Output | Should -Match 'back:0' -Because 'Ctrl+C ends the command, the prompt comes back, and the instance is gone' }
        Test-Path "$Tracefs/instances/$($child.Instance)" | Should -BeFalse -Because 'the instance is removed before the process ends'
        if ($Mode -eq 'file') {
            Test-Path $dat | Should -BeTrue -Because 'the file is finalized'
            (Get-TraceFileInfo $dat).EventCount | Should -BeGreaterThan 0
            $report = & trace-cmd report -i $dat 2>&1
            $LASTEXITCODE | Should -Be 0
            @($report | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }) | Should -BeNullOrEmpty
        }
    }
}

Describe 'Orphans' {
    It 'removes the instance of a SIGKILLed owner at the next trace, and never a live owner''s, whatever the PID namespace' {
        # a live owner in another PID namespace: its pid means nothing here, but it holds its instance's lock
        $script = "Import-Module '$RepoRoot/LinuxTrace.psd1'; `$s = Start-Trace -Event sched:sched_switch -AsSession; [Console]::Out.WriteLine('inst:' + `$s.InstanceName); [Console]::Out.Flush(); Start-Sleep 300"
        $pwsh = Get-PwshCommand
        $psi = [Diagnostics.ProcessStartInfo]::new('unshare')
        foreach ($a in @('--pid', '--fork', '--mount-proc') + $pwsh + @('-NoProfile', '-NonInteractive', '-Command', $script)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $ns = [Diagnostics.Process]::Start($psi)
        try {
            $line = Wait-Until { $l = $ns.StandardOutput.ReadLine(); if ($null -eq $l -or $l -like 'inst:*') { $l } } -TimeoutSeconds 60 -Because 'the namespaced trace to start'
            $line | Should -Match '^inst:linuxtrace-\d+-\d+$'
            $inst = $line.Substring(5)
            # inside its namespace the owner may be pid 2 or so, which names some other process here (or none)
            Start-Trace -Event sched:sched_process_exec -Command /bin/true | Out-Null
            Test-Path "$Tracefs/instances/$inst" | Should -BeTrue -Because 'its owner lives'
            "$(Get-Content "$Tracefs/instances/$inst/set_event" -Raw)" | Should -Match 'sched:sched_switch' -Because 'nobody switched its events off'
            (Get-TraceInstance $inst).IsOrphan | Should -BeFalse
            # SIGKILL: nothing of the owner runs; the kernel drops its lock
            $owner = [int](& pgrep -P $ns.Id | Select-Object -First 1)
            $owner | Should -BeGreaterThan 0 -Because 'unshare --fork runs pwsh as its child'
            & kill -KILL $owner
            $ns.WaitForExit(10000) | Should -BeTrue -Because 'unshare ends with its child'
            Wait-Until { (Get-TraceInstance $inst -ErrorAction SilentlyContinue).IsOrphan } -TimeoutSeconds 15 -Because 'the owner to be gone' | Out-Null
            $w = $null
            Start-Trace -Event sched:sched_process_exec -Command /bin/true -WarningVariable w | Out-Null
            Test-Path "$Tracefs/instances/$inst" | Should -BeFalse -Because 'the orphan is removed'
            "$w" | Should -Match ([regex]::Escape($inst))
        }
        finally {
            if (-not $ns.HasExited) { $ns.Kill($true) }
            Get-ChildItem "$Tracefs/instances" -Directory | Where-Object { $_.Name -like 'linuxtrace-*' -and (Get-TraceInstance $_.Name).IsOrphan } | ForEach-Object { Remove-TraceInstance $_.Name -Confirm:$false }
        }
    }

    It 'shows orphans in Get-TraceInstance and removes them with Remove-TraceInstance' {
        $dead = Start-Process /bin/true -PassThru; $dead.WaitForExit()
        $name = "linuxtrace-$($dead.Id)-77"
        New-Item -ItemType Directory -Path "$Tracefs/instances/$name" | Out-Null
        try {
            $i = Get-TraceInstance $name
            $i.IsLinuxTrace | Should -BeTrue
            $i.IsOrphan | Should -BeTrue
            Get-TraceInstance | Where-Object IsOrphan | Remove-TraceInstance -Confirm:$false
            Test-Path "$Tracefs/instances/$name" | Should -BeFalse
            $live = Start-Trace -Event sched:sched_switch -AsSession
            try { (Get-TraceInstance $live.InstanceName).IsOrphan | Should -BeFalse -Because 'this process holds it' } finally { $live | Stop-Trace }
        }
        finally { if (Test-Path "$Tracefs/instances/$name") { [IO.Directory]::Delete("$Tracefs/instances/$name", $false) } }
    }
}
