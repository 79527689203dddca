# Two real kernels at once: this machine's and the kernel VM guest's (Debian's 6.1 under QEMU), one trace over PowerShell
# SSH remoting, the files merged on one timeline. Runs here, on this machine, while the guest serves ssh after its own
# tests (tests/kernel-vm/serve-ssh.sh; the kernel VM suite starts both and gives them LINUXTRACE_VM_SSH_DIR and _PORT).
# This machine's side is an sshd in a network namespace (tests/FleetHosts.ps1): this kernel, a host name of its own.
BeforeDiscovery { . (Join-Path $PSScriptRoot '../../KernelFeatures.ps1') }
BeforeAll {
    . (Join-Path $PSScriptRoot '../../Common.ps1')
    Import-Module (Join-Path $RepoRoot 'tests/TestRunner.psm1') -Force
    . (Join-Path $RepoRoot 'tests/FleetHosts.ps1')
    $script:StateBefore = Get-KernelTraceState
    $script:SshDir = $env:LINUXTRACE_VM_SSH_DIR
    if (-not $SshDir -or -not $env:LINUXTRACE_VM_SSH_PORT) { throw 'LINUXTRACE_VM_SSH_DIR and LINUXTRACE_VM_SSH_PORT are set by the kernel VM suite (build.ps1 -Task Test -Suite KernelVM)' }
    $script:Fleet = New-FleetHost -Count 1 -Dir (Join-Path ([IO.Path]::GetTempPath()) "lt-twokernels-$PID")
    Install-FleetModule $Fleet $RepoRoot
    $script:Ssh = $Fleet.Ssh
    Copy-Item "$($Fleet.Dir)/clientkey.pub" "$SshDir/clientkey.pub"   # the guest lets this key in
    # the guest runs its own tests first: wait for its sshd as long as the suite lets the guest run
    $wait = [int]($env:LINUXTRACE_VM_SSH_READY_WAIT ?? 1200)
    Wait-Until { (Test-Path "$SshDir/ready") -or (Test-Path "$SshDir/failed") } -TimeoutSeconds $wait -Because 'the guest serves ssh' | Out-Null
    if (Test-Path "$SshDir/failed") { throw "the guest could not serve ssh: $(Get-Content "$SshDir/failed" -Raw)" }
    $script:Here = New-PSSession -HostName $Fleet.Hosts[0].Address @Ssh
    # the guest's pwsh starts under the emulator: tens of seconds
    $script:Guest = New-PSSession -HostName 127.0.0.1 -Port $env:LINUXTRACE_VM_SSH_PORT @Ssh -ConnectingTimeout 180000
    $script:GuestName = Invoke-Command $Guest { [Environment]::MachineName }
}

AfterAll {
    if ($Guest) { $Guest | Remove-PSSession }
    if ($Here) { $Here | Remove-PSSession }
    if ($Fleet) { Remove-FleetHost $Fleet }
    if ($SshDir) { New-Item -ItemType File "$SshDir/done" -Force | Out-Null }   # the guest may power off
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'a fleet of two real kernels: this machine and the kernel VM' -Tag 'needs:sshd', 'needs:vm-host' -Skip:(-not ((Test-KernelFeature sshd) -and (Test-KernelFeature vm-host))) {
    It 'one trace on both: each file is its kernel''s, and a command run on each is found in the order it ran, on one timeline' {
        $out = Join-Path $Fleet.Dir 'two'
        # each host's command says it runs (its trace has begun) and waits for its go; a helper lets the guest exec its
        # echo first and this host's a second later (the guest's clock was set from this machine's, as NTP would)
        $sync = New-Item -ItemType Directory (Join-Path $SshDir 'sync') -Force
        $cmd = Get-OrderedCommand $sync
        $release = Start-OrderedRelease $sync $GuestName, $Fleet.Hosts[0].Name
        try { $files = @(Start-Trace -Session $Guest, $Here -Event sched:sched_process_exec -Command /bin/sh -ArgumentList '-c', $cmd -OutFile $out -PassThru) }
        finally { if (-not $release.WaitForExit(5000)) { $release.Kill(); throw 'not every host got to its command' } }
        $LASTEXITCODE | Should -Be 0
        $files.Count | Should -Be 2
        $guestInfo = Get-TraceFileInfo (Join-Path $out '127.0.0.1.dat')
        $hereInfo = Get-TraceFileInfo (Join-Path $out "$($Fleet.Hosts[0].Address).dat")
        $guestInfo.HostName | Should -Be $GuestName
        $hereInfo.HostName | Should -Be $Fleet.Hosts[0].Name
        $guestInfo.Uname | Should -Match ' 6\.1\.' -Because 'the guest runs Debian''s 6.1 kernel'
        $hereInfo.Uname | Should -Match " $([regex]::Escape((uname -r)))" -Because 'this host runs its own'
        foreach ($i in $guestInfo, $hereInfo) {
            $i.WallClockOffsetNs | Should -Not -BeNullOrEmpty
            $i.WallClockBoundNs | Should -BeGreaterThan 0
            $i.WallClockBoundNs | Should -BeLessThan 50000000 -Because 'the offset moved little during the trace, even under the emulator'
        }
        $echo = @(Get-TraceEvent (Join-Path $out '*.dat') | Where-Object { $_.filename -like '*/echo' })
        @($echo.HostName) | Should -Be @($GuestName, $Fleet.Hosts[0].Name) -Because 'the guest ran echo first'
        $gap = ($echo[1].TimeCreated - $echo[0].TimeCreated).TotalSeconds
        $gap | Should -BeGreaterThan 0.6 -Because 'they ran a second apart'
        $gap | Should -BeLessThan 1.6 -Because 'two kernels'' clocks, each turned into wall-clock time with its own offset, agree'
        @(Invoke-Command $Guest { Get-ChildItem /sys/kernel/tracing/instances -Name }) | Should -BeNullOrEmpty -Because 'the guest''s kernel is as it was'
    }

    It 'a kernel without kprobes is that host''s error; the other kernel''s trace goes on and its file is kept' {
        $out = Join-Path $Fleet.Dir 'kprobe'
        $err = @()
        $files = @(Start-Trace -Session $Guest, $Here -KProbe 'p:lt_two do_sys_openat2 fn=+0(%si):string' -Command /bin/cat -ArgumentList /etc/hostname -OutFile $out -PassThru -ErrorVariable err -ErrorAction SilentlyContinue)
        $LASTEXITCODE | Should -Be 4 -Because 'the highest of the hosts'' codes: this kernel refused (4), the guest recorded (0)'
        $mine = @($err | Where-Object TargetObject -eq $Fleet.Hosts[0].Address)
        $mine.Count | Should -BeGreaterOrEqual 1
        "$($mine[0])" | Should -Match 'kprobe' -Because 'the error says what this kernel lacks'
        @($err | Where-Object TargetObject -eq '127.0.0.1') | Should -BeNullOrEmpty
        $files.Name | Should -Be '127.0.0.1.dat'
        @(Get-TraceEvent $files[0].FullName | Where-Object EventName -eq 'lt_two').fn | Should -Contain '/etc/hostname' -Because 'cat opened it in the guest'
        @(Invoke-Command $Guest { Get-ChildItem /sys/kernel/tracing/instances -Name; Get-Content /sys/kernel/tracing/dynamic_events }) | Should -BeNullOrEmpty -Because 'the probe and the instance are gone from the guest'
    }
}
