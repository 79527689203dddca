# A fleet: the same trace on several hosts at once over PowerShell SSH remoting, the files back here, merged on one
# timeline. The hosts are sshd servers in network namespaces of this machine with host names of their own
# (tests/FleetHosts.ps1); they share this kernel, as containers on one host do.
BeforeDiscovery { . $PSScriptRoot/KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/Common.ps1
    Import-Module $PSScriptRoot/TestRunner.psm1 -Force
    $script:StateBefore = Get-KernelTraceState
}

AfterAll {
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'Start-Trace -HostName: one trace on several hosts' -Tag 'needs:sshd' -Skip:(-not (Test-KernelFeature sshd)) {
    BeforeAll {
        . $PSScriptRoot/FleetHosts.ps1
        $script:Fleet = New-FleetHost -Count 3 -Dir (Join-Path ([IO.Path]::GetTempPath()) "lt-fleet-$PID")
        $script:Dir = $Fleet.Dir
        $script:Hosts = $Fleet.Hosts
        $script:Ssh = $Fleet.Ssh
    }

    AfterAll { Remove-FleetHost $Fleet }

    It 'a host without this LinuxTrace is an error that says how to fix it; nothing is traced there' {
        $out = Join-Path $Dir 'missing'
        $err = @()
        Start-Trace -HostName $Hosts[0].Address @Ssh -Event sched:sched_process_exec -Duration 00:00:01 -OutFile $out -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ModuleMissingOnHost,*'
        $err[0].TargetObject | Should -Be $Hosts[0].Address
        "$($err[0])" | Should -BeLike '*-DeployModule*'
        @(Get-ChildItem $out -ErrorAction SilentlyContinue).Count | Should -Be 0
    }

    It 'runs the same trace on both hosts at once; the files come back, each event names its host, merged in the order things ran' {
        $out = Join-Path $Dir 'both'
        # each host's command says it is running (so its trace has begun) and waits for its go; once all three are
        # waiting, a helper lets host 1 exec its echo, a second later host 2, a second after that host 3. (Sleeps on
        # each host alone were not enough: on a slow machine the hosts' traces began more than a second apart.)
        $sync = New-Item -ItemType Directory (Join-Path $Dir 'both-sync') -Force
        $cmd = Get-OrderedCommand $sync
        $release = Start-OrderedRelease $sync $Hosts.Name
        try { $files = @(Start-Trace -HostName $Hosts.Address @Ssh -DeployModule -Event sched:sched_process_exec -Command /bin/sh -ArgumentList '-c', $cmd -OutFile $out -PassThru) }
        finally { if (-not $release.WaitForExit(5000)) { $release.Kill(); throw 'not every host got to its command' } }
        $LASTEXITCODE | Should -Be 0
        @($files.Name | Sort-Object) | Should -Be @($Hosts.Address | ForEach-Object { "$_.dat" } | Sort-Object)
        foreach ($h in $Hosts) {
            Test-Path "$($h.Home)/.local/share/powershell/Modules/LinuxTrace" | Should -BeTrue -Because '-DeployModule copied the module there'
            $info = Get-TraceFileInfo (Join-Path $out "$($h.Address).dat")
            $info.HostName | Should -Be $h.Name
            $info.Compression | Should -BeLike 'zstd*'
            $info.WallClockOffsetNs | Should -Not -BeNullOrEmpty
            $info.WallClockBoundNs | Should -BeGreaterThan 0 -Because 'each host measured its offset at the start and the end'
        }
        $echo = @(Get-TraceEvent (Join-Path $out '*.dat') | Where-Object { $_.filename -like '*/echo' })
        @($echo.HostName) | Should -Be @('lt-host-1', 'lt-host-2', 'lt-host-3') -Because 'host 1 ran echo first, and each file holds only its own command'
        ($echo[1].TimeCreated - $echo[0].TimeCreated).TotalSeconds | Should -BeGreaterThan 0.5
        ($echo[2].TimeCreated - $echo[1].TimeCreated).TotalSeconds | Should -BeGreaterThan 0.5
    }

    It 'takes sessions the user opened (-Session) and leaves them open' {
        $out = Join-Path $Dir 'sessions'
        $sessions = New-PSSession -HostName $Hosts.Address @Ssh
        try {
            $files = @(Start-Trace -Session $sessions -DeployModule -Event sched:sched_process_exec -Command /bin/true -OutFile $out -PassThru)
            $files.Count | Should -Be $Hosts.Count
            @(Get-TraceEvent (Join-Path $out '*.dat') | Where-Object filename -eq '/bin/true' | Sort-Object HostName).HostName | Should -Be @($Hosts.Name)
            @($sessions | Where-Object State -eq 'Opened').Count | Should -Be $Hosts.Count -Because 'the caller''s sessions are the caller''s to close'
            @(Invoke-Command $sessions { Test-Path variable:global:LinuxTraceFleetFile }) | Should -Not -Contain $true -Because 'nothing of the trace stays in them'
            @(Get-ChildItem ([IO.Path]::GetTempPath()) -Filter 'linuxtrace-fleet-*').Count | Should -Be 0 -Because 'no host keeps its copy of the trace'
        }
        finally { $sessions | Remove-PSSession }
    }

    It 'without -OutFile the hosts'' events stream into this pipeline, each with its host and the kernel''s fields; Select-Object -First stops every host' {
        $events = @(Start-Trace -HostName $Hosts[0].Address, $Hosts[1].Address @Ssh -DeployModule -Event sched:sched_process_exec -Command /bin/true)
        $LASTEXITCODE | Should -Be 0
        @($events | Where-Object filename -eq '/bin/true' | ForEach-Object HostName | Sort-Object) | Should -Be @($Hosts[0].Name, $Hosts[1].Name)
        $events[0].pstypenames | Should -Contain 'Deserialized.LinuxTrace.TraceEvent' -Because 'remoting delivers them'
        ($events | Format-Table | Out-String) | Should -Match "(?m)^$($Hosts[0].Name) +\d+\.\d{6} " -Because 'the table of streamed events begins with the host'
        $before = @(Get-ChildItem "$Tracefs/instances" -Directory -Name)
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $first = @(Start-Trace -HostName $Hosts[0].Address, $Hosts[1].Address @Ssh -Event sched:sched_switch -Duration 00:02:00 | Select-Object -First 5)
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 60 -Because 'the hosts'' traces stop with the pipeline, not after -Duration'
        $first.Count | Should -Be 5
        Wait-Until { @(Get-ChildItem "$Tracefs/instances" -Directory -Name | Where-Object { $_ -notin $before }).Count -eq 0 } -TimeoutSeconds 30 -Because 'each host''s trace ended and removed its instance' | Out-Null
    }

    It 'a host that cannot be reached is an error naming it; the other host''s trace goes on and its file is kept' {
        $out = Join-Path $Dir 'one-down'
        $down = "10.$($Fleet.Tag).1.3"   # host 1's network, where nobody answers
        $err = @()
        $files = @(Start-Trace -HostName $Hosts[0].Address, $down @Ssh -DeployModule -Event sched:sched_process_exec -Command /bin/true -OutFile $out -PassThru -ErrorVariable err -ErrorAction SilentlyContinue)
        $LASTEXITCODE | Should -Be 1
        @($err | Where-Object TargetObject -eq $down).Count | Should -Be 1
        ($err | Where-Object TargetObject -eq $down).FullyQualifiedErrorId | Should -BeLike 'HostUnreachable,*'
        $files.Name | Should -Be "$($Hosts[0].Address).dat"
        @(Get-TraceEvent $files[0].FullName | Where-Object filename -eq '/bin/true').Count | Should -Be 1
    }

    It 'a kernel refusal on a host is that host''s error, named' {
        $out = Join-Path $Dir 'refused'
        $err = @()
        Start-Trace -HostName $Hosts[0].Address @Ssh -DeployModule -Event sched:no_such_event -Command /bin/true -OutFile $out -ErrorVariable err -ErrorAction SilentlyContinue
        $err.Count | Should -BeGreaterOrEqual 1
        $err[0].TargetObject | Should -Be $Hosts[0].Address
        "$($err[0])" | Should -BeLike "$($Hosts[0].Address):*no_such_event*"
    }

    It 'leaves the highest of the hosts'' own exit codes: nothing recorded on each, then a kernel each refuses' {
        Start-Trace -HostName $Hosts[0].Address, $Hosts[1].Address @Ssh -DeployModule -Event sched:sched_process_exec -Filter 'pid == 1' -Duration 00:00:01 -OutFile (Join-Path $Dir 'quiet') -WarningAction SilentlyContinue
        $LASTEXITCODE | Should -Be 2 -Because 'neither host recorded an event'
        $err = @()
        Start-Trace -HostName $Hosts[0].Address, $Hosts[1].Address @Ssh -DeployModule -KProbe 'p:lt_fleet_x do_sys_openat2' -Duration 00:00:01 -OutFile (Join-Path $Dir 'nokprobe') -ErrorVariable err -ErrorAction SilentlyContinue
        $LASTEXITCODE | Should -Be 4 -Because 'this kernel, which every host here shares, has no kprobes: each host''s Start-Trace left 4'
        @($err.TargetObject | Sort-Object -Unique) | Should -Be @($Hosts[0].Address, $Hosts[1].Address | Sort-Object)
    }

    It 'a host''s warnings come here, naming the host' {
        # an instance left by a LinuxTrace process that no longer runs: the host's Start-Trace removes it and warns
        $dead = Start-Process /bin/true -PassThru; $dead.WaitForExit()
        $orphan = "linuxtrace-$($dead.Id)-78"
        New-Item -ItemType Directory -Path "$Tracefs/instances/$orphan" | Out-Null
        try {
            $w = @()
            Start-Trace -HostName $Hosts[0].Address @Ssh -DeployModule -Event sched:sched_process_exec -Command /bin/true -OutFile (Join-Path $Dir 'warned') -WarningVariable w -WarningAction SilentlyContinue | Out-Null
            @($w | ForEach-Object { "$_" }) | Should -Contain "$($Hosts[0].Address): Removed the instance $orphan, left behind by a LinuxTrace process that no longer runs."
        }
        finally { if (Test-Path "$Tracefs/instances/$orphan") { [IO.Directory]::Delete("$Tracefs/instances/$orphan", $false) } }
    }

    It 'Ctrl+C stops every host''s trace, cleans every kernel, and brings back what was recorded' {
        $out = Join-Path $Dir 'stopped'
        $before = @(Get-ChildItem "$Tracefs/instances" -Directory -Name)
        $ps = [powershell]::Create()
        try {
            $ps.AddScript("Import-Module '$RepoRoot/LinuxTrace.psd1'").Invoke() | Out-Null
            $ps.Commands.Clear()
            $p = @{ HostName = $Hosts.Address; Event = 'sched:sched_switch'; Duration = [timespan]::FromMinutes(2); OutFile = $out; PassThru = $true; DeployModule = $true } + $Ssh
            $ps.AddCommand('Start-Trace').AddParameters($p) | Out-Null
            $run = $ps.BeginInvoke()
            # both hosts are tracing: two new instances (the hosts share this kernel), each with events read
            $new = Wait-Until { $n = @(Get-ChildItem "$Tracefs/instances" -Directory -Name | Where-Object { $_ -notin $before -and $_ -like 'linuxtrace-*' }); if ($n.Count -eq $Hosts.Count) { , $n } } -TimeoutSeconds 60 -Because 'both hosts start tracing'
            foreach ($i in $new) {
                Wait-Until { (Get-TraceStatus -Instance $i).CpuStats.ReadEvents | Measure-Object -Sum | Where-Object Sum -gt 0 } -TimeoutSeconds 30 -Because "$i records" | Out-Null
            }
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()   # what Ctrl+C does: StopProcessing
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 30 -Because 'stopping does not wait for -Duration'
            foreach ($i in $new) { Test-Path "$Tracefs/instances/$i" | Should -BeFalse -Because "each host's Start-Trace removed its instance ($i)" }
            @(Get-ChildItem ([IO.Path]::GetTempPath()) -Filter 'linuxtrace-fleet-*').Count | Should -Be 0 -Because 'no host keeps its copy of the trace'
            $files = @(Get-ChildItem $out -Filter *.dat -ErrorAction SilentlyContinue)
            $files.Count | Should -Be $Hosts.Count -Because 'each host''s trace up to Ctrl+C comes back'
            foreach ($f in $files) { (Get-TraceFileInfo $f.FullName).EventCount | Should -BeGreaterThan 0 }
        }
        finally { $ps.Dispose() }
    }

    It 'the runbook: a detached trace on every host during an incident, stopped later from other sessions, fetched, merged on one timeline, drawn' {
        Install-FleetModule $Fleet $RepoRoot
        $out = New-Item -ItemType Directory (Join-Path $Dir 'incident') -Force
        # these hosts share one kernel (as containers do), so each names its trace after itself; hosts of their own need not.
        # ($n first: Invoke-Command evaluates the arguments of a script block that is one pipeline here, not there)
        $s = New-PSSession -HostName $Hosts.Address @Ssh
        try {
            Invoke-Command $s { $n = "incident-$([Environment]::MachineName)"; Start-Trace -Name $n -Detached -Event syscalls:sys_enter_openat -StackTrace -Clock mono } | Out-Null
            Invoke-Command $s { & /bin/cat /etc/hostname } | Out-Null
        }
        finally { $s | Remove-PSSession }   # the sessions that started the traces are gone; the traces go on
        $s = New-PSSession -HostName $Hosts.Address @Ssh
        try {
            $listed = @(Invoke-Command $s { $n = "incident-$([Environment]::MachineName)"; Get-TraceSession $n })
            @($listed | Where-Object State -eq 'Detached').Count | Should -Be $Hosts.Count
            Invoke-Command $s { $n = "incident-$([Environment]::MachineName)"; Stop-Trace $n -OutFile "/tmp/$n.dat" -WallClock; $LASTEXITCODE } | Should -Be (@(0) * $Hosts.Count)
            foreach ($session in $s) {
                $name = Invoke-Command $session { [Environment]::MachineName }
                Copy-Item -FromSession $session "/tmp/incident-$name.dat" -Destination "$out/$($session.ComputerName).dat"
                Invoke-Command $session { $n = "incident-$([Environment]::MachineName)"; Remove-Item "/tmp/$n.dat" }
            }
        }
        finally { $s | Remove-PSSession }
        foreach ($h in $Hosts) { Test-Path "$Tracefs/instances/linuxtrace-detached-incident-$($h.Name)" | Should -BeFalse }
        $events = @(Get-TraceEvent "$out/*.dat" -WarningVariable warn)
        $warn | Should -BeNullOrEmpty -Because 'every file has its offset to the wall clock: one timeline'
        @($events | Where-Object { $_.ProcessName -eq 'cat' } | Select-Object -ExpandProperty HostName -Unique | Sort-Object) | Should -Be @($Hosts.Name)
        $svg = Join-Path $out 'incident.svg'
        $events | Export-TraceFlameGraph -Path $svg
        (Get-Content $svg -Raw) | Should -Match 'do_syscall_64' -Because 'the openat calls'' kernel stacks, from every host'
    }
}
