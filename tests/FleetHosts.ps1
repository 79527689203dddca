# Hosts for fleet tests, benchmarks and the demo: sshd servers in network namespaces of this machine, each in a UTS
# namespace of its own (its own host name), listening only on its namespace's address. Their pwsh is this one (the
# powershell subsystem, through a wrapper script since the dotnet-tool pwsh has no fixed path), with a HOME of their
# own so that -DeployModule writes nowhere else. They share this kernel, as containers on one host do.
# Needs Get-PwshCommand (tests/TestRunner.psm1).
#   $f = New-FleetHost -Count 2 -Dir /tmp/x   # (or -Name a, b) -> .Hosts (Name, Address, Namespace, Link, Home, PidFile), .Ssh (splat)
#   Remove-FleetHost $f

function New-FleetHost([int] $Count = 2, [string] $Dir, [string] $NamePrefix = 'lt-host-', [string[]] $Name) {
    if ($Name) { $Count = $Name.Count }
    New-Item -ItemType Directory $Dir -Force | Out-Null
    & ssh-keygen -q -t ed25519 -N '' -f "$Dir/hostkey"
    & ssh-keygen -q -t ed25519 -N '' -f "$Dir/clientkey"
    Copy-Item "$Dir/clientkey.pub" "$Dir/authorized_keys"
    $pwsh = Get-PwshCommand
    $tag = $PID % 200 + 20
    $fleet = [pscustomobject]@{ Dir = $Dir; Tag = $tag; Hosts = [Collections.Generic.List[object]]::new(); Ssh = $null }
    New-Item -ItemType Directory /run/sshd -Force | Out-Null
    foreach ($i in 1..$Count) {
        $hostName = if ($Name) { $Name[$i - 1] } else { "$NamePrefix$i" }
        $ns = "ltfleet$PID-$i"
        $hostSide = "lf$($PID % 100000)h$i"; $nsSide = "lf$($PID % 100000)n$i"
        $addr = "10.$tag.$i.2"
        $hdir = New-Item -ItemType Directory "$Dir/home-$i" -Force
        Set-Content "$Dir/subsystem-$i.sh" "#!/bin/sh`nexport HOME=$($hdir.FullName) DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1`nexec $(($pwsh | ForEach-Object { "'$_'" }) -join ' ') -sshs -NoLogo"
        & chmod +x "$Dir/subsystem-$i.sh"
        Set-Content "$Dir/sshd-$i.conf" @"
ListenAddress $addr
Port 22
HostKey $Dir/hostkey
PidFile $Dir/sshd-$i.pid
AuthorizedKeysFile $Dir/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxStartups 100
MaxSessions 100
Subsystem powershell $Dir/subsystem-$i.sh
"@
        $h = [pscustomobject]@{ Name = $hostName; Address = $addr; Namespace = $ns; Link = $hostSide; Home = $hdir.FullName; PidFile = "$Dir/sshd-$i.pid" }
        $fleet.Hosts.Add($h)   # before it exists: Remove-FleetHost undoes a half-made host too
        & ip netns add $ns
        & ip link add $hostSide type veth peer name $nsSide
        & ip link set $nsSide netns $ns
        & ip addr add "10.$tag.$i.1/24" dev $hostSide
        & ip link set $hostSide up
        & ip netns exec $ns ip addr add "$addr/24" dev $nsSide
        & ip netns exec $ns ip link set $nsSide up
        & ip netns exec $ns ip link set lo up
        & ip netns exec $ns unshare --uts sh -c "hostname $hostName; exec /usr/sbin/sshd -f '$Dir/sshd-$i.conf' -E '$Dir/sshd-$i.log'"
    }
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while (@($fleet.Hosts | Where-Object { -not (Test-Path $_.PidFile) }).Count -gt 0) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "sshd did not start: $(Get-Content $Dir/sshd-*.log -Raw)" }
        Start-Sleep -Milliseconds 50
    }
    $fleet.Ssh = @{ UserName = 'root'; KeyFilePath = "$Dir/clientkey"; Options = @{ StrictHostKeyChecking = 'no'; UserKnownHostsFile = '/dev/null'; LogLevel = 'ERROR' } }
    $fleet
}

# Puts this build of LinuxTrace where each host's pwsh finds it (its HOME's module folder), as Start-Trace -DeployModule
# would, for tests that drive the hosts with Invoke-Command.
function Install-FleetModule($Fleet, [string] $RepoRoot) {
    $version = (Import-PowerShellDataFile "$RepoRoot/LinuxTrace.psd1").ModuleVersion
    foreach ($h in $Fleet.Hosts) {
        $dest = New-Item -ItemType Directory "$($h.Home)/.local/share/powershell/Modules/LinuxTrace/$version" -Force
        Copy-Item "$RepoRoot/LinuxTrace.psd1", "$RepoRoot/LinuxTrace.Format.ps1xml", "$RepoRoot/bin", "$RepoRoot/en-US" -Destination $dest -Recurse -Force
    }
}

function Remove-FleetHost($Fleet) {
    foreach ($h in $Fleet.Hosts) {
        if (Test-Path $h.PidFile) { & kill (Get-Content $h.PidFile) 2>$null }
        & ip netns delete $h.Namespace 2>$null
        & ip link delete $h.Link 2>$null
    }
    # and whatever a half-made or half-removed fleet of this process left: its sshd (by their config's folder), namespaces
    & pkill -f "sshd -f $($Fleet.Dir)/" 2>$null
    foreach ($ns in @(& ip netns list 2>$null | ForEach-Object { ($_ -split ' ')[0] } | Where-Object { $_ -like "ltfleet$PID-*" })) { & ip netns delete $ns 2>$null }
    Remove-Item $Fleet.Dir -Recurse -Force -ErrorAction SilentlyContinue
}

# A command for every host of a fleet trace, and its conductor: each host's command says it runs (so its trace has
# begun) and waits for its go; the conductor waits until every host is waiting, then lets them exec /bin/echo one by
# one, a second apart, in the order of -Names (host names). $Dir is a folder every host sees.
#   $cmd = Get-OrderedCommand $sync; $p = Start-OrderedRelease $sync 'lt-host-1', 'lt-host-2'
#   Start-Trace ... -Command /bin/sh -ArgumentList '-c', $cmd; $p.WaitForExit(5000)
function Get-OrderedCommand([string] $Dir) {
    "h=`$(hostname); touch `"$Dir/ready-`$h`"; for i in `$(seq 3000); do [ -e `"$Dir/go-`$h`" ] && exec /bin/echo fleet; sleep 0.1; done; exit 1"
}
function Start-OrderedRelease([string] $Dir, [string[]] $Names) {
    $n = $Names -join ' '
    [Diagnostics.Process]::Start('/bin/sh', [string[]] @('-c', "for i in `$(seq 3000); do n=0; for h in $n; do [ -e `"$Dir/ready-`$h`" ] && n=`$((n+1)); done; [ `$n -eq $($Names.Count) ] && break; sleep 0.1; done; for h in $n; do touch `"$Dir/go-`$h`"; sleep 1; done"))
}
