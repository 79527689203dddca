# The two-host demo: one trace on this machine and on a second real kernel at once (the kernel VM's guest: Debian's
# 6.1 under QEMU), over PowerShell SSH remoting, the files back here and merged on one timeline.
# This machine's side is an sshd in a network namespace (tests/FleetHosts.ps1): this kernel, under this host's name.
# The guest serves ssh (tests/kernel-vm/serve-ssh.sh) through a port forwarded to this machine's loopback only.
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
$Root = Split-Path $PSScriptRoot -Parent
Import-Module $ModulePath
Import-Module (Join-Path $Root 'tests/TestRunner.psm1')
. (Join-Path $Root 'tests/FleetHosts.ps1')

function Section([string] $title) { Write-Host "`n== $title ==" -ForegroundColor Cyan }

if (-not (Test-KernelFeature sshd)) { throw 'The demo needs sshd and ip: apt-get install openssh-server iproute2 (build.ps1 -Task Test installs them).' }
$dir = Join-Path $Root 'out/demo-fleet'   # under the repository: kernel-vm.sh shares it with the guest, writable
if (Test-Path $dir) { Remove-Item $dir -Recurse -Force }
New-Item -ItemType Directory $dir | Out-Null
$port = Get-FreeLoopbackPort

Section "Booting the kernel VM (Debian's kernel under QEMU) as the second host"
$vmLog = Join-Path $dir 'vm.log'
$psi = [Diagnostics.ProcessStartInfo]::new('/bin/bash')
foreach ($a in '-c', 'exec "$@" > "$0" 2>&1', $vmLog, (Join-Path $Root 'tests/kernel-vm/kernel-vm.sh'), '--timeout', '900', '--mem', '3G', '--cpus', '2', '--',
    '/bin/bash', (Join-Path $Root 'tests/kernel-vm/serve-ssh.sh'), $dir, '600') { $psi.ArgumentList.Add($a) }
$psi.WorkingDirectory = $Root
$psi.UseShellExecute = $false
$psi.Environment['KERNEL_VM_QEMU_ARGS'] = Get-VmSshQemuArgument $port
$psi.Environment['KERNEL_VM_ACCEL'] = 'tcg,thread=single'
$psi.Environment['LINUXTRACE_PWSH'] = (Get-GuestPwshCommand) -join ' '
$vm = [Diagnostics.Process]::Start($psi)
$fleet = $null; $here = $null; $guest = $null
try {
    $fleet = New-FleetHost -Name ([Environment]::MachineName) -Dir (Join-Path ([IO.Path]::GetTempPath()) "lt-demo-fleet-$PID")
    Install-FleetModule $fleet $Root
    $ssh = $fleet.Ssh
    Copy-Item "$($fleet.Dir)/clientkey.pub" "$dir/clientkey.pub"   # the guest lets this key in
    $sw = [Diagnostics.Stopwatch]::StartNew()
    while (-not (Test-Path "$dir/ready")) {
        if ($vm.HasExited -or (Test-Path "$dir/failed")) { throw "The kernel VM did not serve ssh; its output:`n$(Get-Content $vmLog -Raw)" }
        if ($sw.Elapsed.TotalSeconds -gt 600) { throw "The kernel VM did not serve ssh within 600 s; its output:`n$(Get-Content $vmLog -Raw)" }
        Write-Progress -Activity 'Booting the kernel VM' -Status "$([int]$sw.Elapsed.TotalSeconds) s"
        Start-Sleep -Milliseconds 500
    }
    Write-Progress -Activity 'Booting the kernel VM' -Completed
    $clock = (Get-Content "$dir/clock") -split ' '
    Write-Host ("The guest is up after {0:N0} s; its clock was {1:N3} s off this machine's and was set from it (as NTP would)." -f $sw.Elapsed.TotalSeconds, [double]$clock[0])

    Section 'Two sessions: this kernel, and the guest (its pwsh starts under the emulator: a minute or so)'
    $here = New-PSSession -HostName $fleet.Hosts[0].Address @ssh
    $guest = New-PSSession -HostName 127.0.0.1 -Port $port @ssh -ConnectingTimeout 180000
    Write-Host "`$here = $($here.ComputerName) ($(Invoke-Command $here { uname -sr })); `$guest = $($guest.ComputerName) ($(Invoke-Command $guest { uname -sr }))"

    Section 'One trace on both kernels (Start-Trace -Session $guest, $here -OutFile folder)'
    # the same command on each host; the guest execs its echo first, this host a second later
    $sync = New-Item -ItemType Directory (Join-Path $dir 'sync') -Force
    $guestName = Invoke-Command $guest { [Environment]::MachineName }
    $release = Start-OrderedRelease $sync $guestName, $fleet.Hosts[0].Name
    Write-Host "Start-Trace -Session `$guest, `$here -Event sched:sched_process_exec -Command /bin/sh -ArgumentList '-c', '<wait for my turn; exec /bin/echo>' -OutFile $dir/trace -PassThru"
    try { $files = @(Start-Trace -Session $guest, $here -Event sched:sched_process_exec -Command /bin/sh -ArgumentList '-c', (Get-OrderedCommand $sync) -OutFile "$dir/trace" -PassThru) }
    finally { if (-not $release.WaitForExit(5000)) { $release.Kill() } }
    $files | Format-Table Name, Length | Out-Host

    Section 'Each file is its own kernel''s (Get-TraceFileInfo)'
    $files | ForEach-Object { Get-TraceFileInfo $_.FullName } |
        Format-Table HostName, @{ n = 'Kernel'; e = { ($_.Uname -split ' ')[2] } }, Clock, EventCount, @{ n = 'WallClockBound'; e = { '{0:N0} µs' -f ($_.WallClockBoundNs / 1e3) } } -AutoSize | Out-Host
    Write-Host 'Each host measured its trace clock against its wall clock at the start and the end; the bound is how far apart.'

    Section 'Merged on one timeline (Get-TraceEvent out/demo-fleet/trace/*.dat)'
    $events = @(Get-TraceEvent "$dir/trace/*.dat")
    $events | Format-Table @{ n = 'TimeCreated'; e = { $_.TimeCreated.ToString('HH:mm:ss.ffffff') } }, HostName, CpuNumber, ProcessId, EventName, filename -AutoSize | Out-Host
    $echo = @($events | Where-Object { $_.filename -like '*/echo' })
    if ($echo.Count -eq 2) {
        Write-Host ('{0} ran echo first; {1} {2:N3} s later (the conductor released them a second apart).' -f $echo[0].HostName, $echo[1].HostName, ($echo[1].TimeCreated - $echo[0].TimeCreated).TotalSeconds)
    }
}
finally {
    if ($guest) { $guest | Remove-PSSession }
    if ($here) { $here | Remove-PSSession }
    if ($fleet) { Remove-FleetHost $fleet }
    New-Item -ItemType File "$dir/done" -Force | Out-Null   # the guest powers off
    if (-not $vm.WaitForExit(60000)) { $vm.Kill($true) }
}
