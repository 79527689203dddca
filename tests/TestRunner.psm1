# The test run behind `build.ps1 -Task Test`: runs each suite in a child process with a deadline, knows which
# test is running at any moment, and turns everything that is not a clean pass into a failure with a line that
# says what happened: a failed test, a runner that crashed or was killed for hanging (naming the test), fewer
# tests run than found, a skip this machine does not justify, a kernel BUG/WARNING/Oops/panic in the VM guest.

. (Join-Path $PSScriptRoot 'KernelFeatures.ps1')

# One suite's outcome. Problems are failures that are not a single test's assertion (crash, hang, count...).
function New-SuiteResult([string] $Name) {
    [pscustomobject]@{ Name = $Name; Found = 0; Passed = 0; Failed = 0; Skipped = 0; Seconds = 0.0
        Problems = [System.Collections.Generic.List[string]]::new(); Failures = [System.Collections.Generic.List[string]]::new(); Notes = [System.Collections.Generic.List[string]]::new() }
}

function Add-Problem($Result, [string] $Message, [int] $Failures = 1) {
    $Result.Problems.Add("$($Result.Name): $Message")
    $Result.Failed += $Failures
}

<#
Runs a program, echoing its output (stdout and stderr, line by line) and keeping it in a log file. Stops it,
with its whole process tree, when -TimeoutSeconds pass or when -Watch (called for every line with the line, and
once a second with $null) returns a reason. Returns the exit code, whether it was killed, and why.
#>
function Invoke-ChildProcess {
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [Parameter(Mandatory)] [string] $LogFile,
        [int] $TimeoutSeconds = 600,
        [scriptblock] $Watch,
        [scriptblock] $Echo = { $true },
        [string] $WorkingDirectory = (Get-Location).Path,
        [hashtable] $Environment = @{}
    )
    $psi = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $psi.WorkingDirectory = $WorkingDirectory
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = [string]$Environment[$k] }
    $log = [IO.StreamWriter]::new($LogFile, $false)
    $p = [System.Diagnostics.Process]::Start($psi)
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $reason = $null
    $killed = $false
    try {
        $readers = @($p.StandardOutput, $p.StandardError)
        $tasks = @($readers | ForEach-Object { $_.ReadLineAsync() })
        $open = 2
        $lastWatch = 0
        while ($open -gt 0) {
            $pending = @($tasks | Where-Object { $null -ne $_ })
            $i = [Threading.Tasks.Task]::WaitAny([Threading.Tasks.Task[]]$pending, 500)
            if ($i -ge 0) {
                $t = $pending[$i]
                $k = [array]::IndexOf($tasks, $t)
                $line = $t.Result
                if ($null -eq $line) { $tasks[$k] = $null; $open--; continue }
                $tasks[$k] = $readers[$k].ReadLineAsync()
                $log.WriteLine($line)
                if (& $Echo $line) { [Console]::Out.WriteLine($line) }
                if ($Watch -and -not $reason) { $reason = & $Watch $line }
            }
            if (-not $reason -and $Watch -and $sw.Elapsed.TotalSeconds - $lastWatch -ge 1) {
                $lastWatch = $sw.Elapsed.TotalSeconds
                $reason = & $Watch $null
            }
            if (-not $reason -and $sw.Elapsed.TotalSeconds -gt $TimeoutSeconds) {
                $reason = "did not finish within $TimeoutSeconds s"
            }
            if ($reason -and -not $killed) {
                $killed = $true
                [Console]::Out.WriteLine("*** stopping $([IO.Path]::GetFileName($FilePath)): $reason")
                try { $p.Kill($true) } catch { }
            }
        }
        $p.WaitForExit()
    }
    finally {
        if (-not $p.HasExited) { try { $p.Kill($true) } catch { } }
        $log.Dispose()
    }
    [pscustomobject]@{ ExitCode = $p.ExitCode; Killed = $killed; Reason = $reason; Seconds = $sw.Elapsed.TotalSeconds }
}

# The command line of the pwsh running this (the dotnet tool runs as "dotnet pwsh.dll").
function Get-PwshCommand {
    $exe = Join-Path $PSHOME 'pwsh'
    if ((Test-Path $exe) -and ((Get-Item $exe).UnixMode -match 'x')) { return , @($exe) }
    return , @((Get-Command dotnet -CommandType Application)[0].Source, (Join-Path $PSHOME 'pwsh.dll'))
}

# A watch for a child that writes "<start ms>`t<what runs>" (or "done`t...") to a file as each phase of its run starts:
# discovery of a file, a block's setup, a test, what follows a test, the end of the run (tests/Invoke-PesterRun.ps1).
function New-CurrentTestWatch([string] $File, [int] $HangSeconds) {
    {
        param($line)
        if ($null -ne $line -or -not (Test-Path $File)) { return $null }
        $text = [IO.File]::ReadAllText($File)
        $parts = $text -split "`t", 2
        if ($parts.Count -lt 2 -or $parts[0] -eq 'done') { return $null }
        $ran = ([DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() - [long]$parts[0]) / 1000
        if ($ran -gt $HangSeconds) { return "'$($parts[1])' hung: still running after $([int]$ran) s (limit $HangSeconds s)" }
        $null
    }.GetNewClosure()
}

# The test that was running when a child stopped, from its current-test file.
function Get-RunningTest([string] $File) {
    if (-not (Test-Path $File)) { return $null }
    $parts = [IO.File]::ReadAllText($File) -split "`t", 2
    if ($parts.Count -lt 2 -or $parts[0] -eq 'done') { return $null }
    $parts[1]
}

# ---- the engine (xunit v3 program) ---------------------------------------------------------------

function Invoke-EngineSuite {
    param([Parameter(Mandatory)] [string] $TestDll, [Parameter(Mandatory)] [string] $OutDir, [int] $HangSeconds = 300,
        [int] $TimeoutSeconds = 900, [string[]] $Filter = @())
    $res = New-SuiteResult 'xunit'
    $xml = Join-Path $OutDir 'engine.xml'
    Remove-Item $xml -ErrorAction SilentlyContinue
    $running = [System.Collections.Generic.Dictionary[string, datetime]]::new()
    $found = [ref]0
    # a crash (FailFast, an unhandled exception on another thread) names its test on its stack: the outermost frame in
    # the test assembly is the test method
    $crashFrame = [ref]$null
    $watch = {
        param($line)
        if ($null -ne $line) {
            if ($line -match '^\s+at (LinuxTrace\.Engine\.Tests\.[^(\s]+)\(') { $crashFrame.Value = $Matches[1] -replace '\+<>c.*$', '' }
            elseif ($line -match '^\s+Discovered:\s+\S+ \((\d+) test cases? to be run\)') { $found.Value = [int]$Matches[1] }
            elseif ($line -match '^\s{4}(\S.*) \[STARTING\]$') { $running[$Matches[1]] = [datetime]::UtcNow }
            elseif ($line -match '^\s{4}(\S.*) \[FINISHED\]') { $null = $running.Remove($Matches[1]) }
            return $null
        }
        foreach ($kv in $running.GetEnumerator()) {
            $ran = ([datetime]::UtcNow - $kv.Value).TotalSeconds
            if ($ran -gt $HangSeconds) { return "test '$($kv.Key)' hung: still running after $([int]$ran) s (limit $HangSeconds s)" }
        }
        $null
    }.GetNewClosure()
    $echo = { param($line) $line -notmatch '\[(STARTING|FINISHED)\]' }
    $args = @($TestDll, '-noColor', '-reporter', 'verbose', '-diagnostics', '-preEnumerateTheories', '-xml', $xml) + $Filter
    $run = Invoke-ChildProcess -FilePath (Get-Command dotnet -CommandType Application)[0].Source -ArgumentList $args `
        -LogFile (Join-Path $OutDir 'engine.log') -TimeoutSeconds $TimeoutSeconds -Watch $watch -Echo $echo
    $res.Seconds = $run.Seconds
    $res.Found = $found.Value
    if (Test-Path $xml) {
        $a = ([xml](Get-Content $xml -Raw)).assemblies.assembly
        $res.Passed = [int]$a.passed
        $res.Failed = [int]$a.failed + [int]$a.errors
        $res.Skipped = [int]$a.skipped
        foreach ($t in $a.SelectNodes('.//test[@result="Fail"]')) {
            $m = $t.SelectSingleNode('failure/message')
            $first = "$(if ($m) { $m.InnerText })" -split "`n" | Select-Object -First 1
            $res.Failures.Add("xunit '$($t.name)': $(if ($first.Length -gt 300) { $first.Substring(0, 300) + '...' } else { $first })")
        }
        foreach ($t in $a.SelectNodes('.//test[@result="Skip"]')) {
            # xunit writes the reason as CDATA, which PowerShell's XML adapter gives as an element, not its text
            $reason = $t.SelectSingleNode('reason')
            $needs = @("$(if ($reason) { $reason.InnerText })" -split '\s+' | Where-Object { $_ -like 'needs:*' } | ForEach-Object { $_.Substring(6) })
            $why = Test-SkipJustified $needs
            if ($why) { $res.Skipped--; Add-Problem $res "'$($t.name)' $why" }
        }
        if ([int]$a.'not-run' -gt 0) { Add-Problem $res "$($a.'not-run') tests did not run" }
    }
    if ($run.Killed) {
        Add-Problem $res "stopped: $($run.Reason)"
    }
    elseif (-not (Test-Path $xml)) {
        # the crash's own stack first: xunit's [FINISHED]/[STARTING] lines can be lost with the process's last output
        # (a FailFast right after a test passed left that test as the one "running")
        $at = if ($crashFrame.Value) { " while running '$($crashFrame.Value)' (from the crash's stack)" }
        elseif ($running.Count) { " while running $(@($running.Keys | ForEach-Object { "'$_'" }) -join ', ')" }
        else { '' }
        Add-Problem $res "the test process crashed (exit code $($run.ExitCode))$at and wrote no results"
    }
    elseif ($run.ExitCode -ne 0 -and $res.Failed -eq 0) {
        Add-Problem $res "the test process exited with code $($run.ExitCode) although no test failed"
    }
    $ran = $res.Passed + $res.Failed + $res.Skipped
    if ($res.Found -eq 0) { Add-Problem $res 'found no tests' }
    elseif ($ran -lt $res.Found -and -not $run.Killed -and (Test-Path $xml)) { Add-Problem $res "ran $ran of the $($res.Found) tests it found" ($res.Found - $ran) }
    # (a killed or crashed run's tests without a result are counted by Write-TestSummary, as every suite's are)
    $res
}

# ---- the cmdlets (Pester in a child pwsh) --------------------------------------------------------

function Invoke-PesterSuite {
    param([Parameter(Mandatory)] [string] $PesterModule, [Parameter(Mandatory)] [string[]] $Path, [Parameter(Mandatory)] [string] $OutDir,
        [string[]] $ExcludePath = @(), [int] $HangSeconds = 300, [int] $TimeoutSeconds = 1500, [string] $Name = 'Pester')
    $res = New-SuiteResult $Name
    $json = Join-Path $OutDir "$Name.json"
    $current = Join-Path $OutDir "$Name.current"
    Remove-Item $json, $current -ErrorAction SilentlyContinue
    $pwsh = Get-PwshCommand
    $args = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Invoke-PesterRun.ps1'),
        '-PesterModule', $PesterModule, '-ResultFile', $json, '-CurrentTestFile', $current, '-Path', ($Path -join ','))
    if ($ExcludePath) { $args += '-ExcludePath', ($ExcludePath -join ',') }
    $run = Invoke-ChildProcess -FilePath $pwsh[0] -ArgumentList $args -LogFile (Join-Path $OutDir "$Name.log") `
        -TimeoutSeconds $TimeoutSeconds -Watch (New-CurrentTestWatch $current $HangSeconds)
    $res.Seconds = $run.Seconds
    if (Test-Path $json) {
        $r = Get-Content $json -Raw | ConvertFrom-Json
        $res.Found = $r.Found; $res.Passed = $r.Passed; $res.Failed = $r.Failed; $res.Skipped = $r.Skipped
        foreach ($p in $r.Problems) { $res.Problems.Add($p) }
        foreach ($f in $r.Failures) { $res.Failures.Add("$Name $f") }
    }
    # stopped for a hang or the deadline: a failure even when the results were written before it (a hang at exit)
    if ($run.Killed) {
        Add-Problem $res "stopped: $($run.Reason)"
    }
    elseif (-not (Test-Path $json)) {
        $at = Get-RunningTest $current
        Add-Problem $res "pwsh exited with code $($run.ExitCode)$(if ($at) { " while running '$at'" }) and wrote no results"
    }
    if ($run.ExitCode -ne 0 -and -not $run.Killed -and (Test-Path $json)) { Add-Problem $res "pwsh exited with code $($run.ExitCode)" }
    $res
}

# What is not at rest in this host's tracing before the cmdlet tests begin: they compare the kernel with what they find,
# so a setting left by a hand-run tool (a killed trace-cmd leaves events on, options set) makes tests fail that have
# nothing to do with it. Said as a note at the start and in the summary; the run still goes on.
function Get-TracingUnrest([string] $Tracefs = '/sys/kernel/tracing') {
    if (-not (Test-Path "$Tracefs/tracing_on")) { return }
    function Read([string] $f) { if (Test-Path "$Tracefs/$f") { [IO.File]::ReadAllText("$Tracefs/$f").Trim() } }
    if ((Read tracing_on) -ne '1') { 'tracing_on is 0' }
    if ((Read current_tracer) -notin 'nop', $null) { "current_tracer is $(Read current_tracer)" }
    foreach ($f in 'set_event', 'set_event_pid', 'set_event_notrace_pid') {
        $v = Read $f
        if ($v) { "$f holds $(($v -split '\s+' | Select-Object -First 3) -join ' ')$(if (($v -split '\s+').Count -gt 3) { ' ...' })" }
    }
    foreach ($o in 'stacktrace', 'userstacktrace', 'event-fork', 'function-fork', 'sym-userobj', 'raw', 'hex', 'bin') {
        if ((Read "options/$o") -eq '1') { "options/$o is 1" }
    }
    $left = @(Get-ChildItem "$Tracefs/instances" -Directory -ErrorAction SilentlyContinue | Where-Object Name -match '^(linuxtrace-|lt-)')
    if ($left) { "instances left by earlier test runs: $($left.Name -join ', ')" }
}

# ---- the full kernel, under QEMU ------------------------------------------------------------------

# Kernel log lines that mean the kernel itself went wrong.
$script:KernelTrouble = 'BUG:|WARNING:|Oops|Kernel panic|general protection fault|soft lockup|hard LOCKUP|rcu_sched self-detected stall|rcu: INFO|Call Trace:|kernel BUG at|list_add corruption|UBSAN:|KASAN:'

<#
Boots Debian's full kernel once and runs the guest's tests in it (tests/kernel-vm/guest.sh: Pester, then the
kernel log since the tests began). Fails on a hang or crash of the guest (naming the test), on kernel
BUG/WARNING/Oops/panic lines logged while the tests ran, and on everything the Pester suite reports. The one
retry: a guest that hangs before any test started (an emulator hiccup at boot), said so in the output.
-TimeoutSeconds bounds the whole guest: the emulator's speed follows the host's load, and the same suite has taken
620 s and over 900 s within one hour on this machine; a test that hangs is stopped after -HangSeconds anyway.
#>
function Invoke-KernelVmSuite {
    param([Parameter(Mandatory)] [string] $Root, [Parameter(Mandatory)] [string] $PesterModule, [Parameter(Mandatory)] [string] $OutDir,
        [string[]] $Path = @(), [int] $TimeoutSeconds = 1200, [int] $HangSeconds = 300)
    $res = New-SuiteResult 'kernel VM'
    $dir = Join-Path $OutDir 'kernel-vm'
    # the guest's own tests, and the -WhatIf file, whose function tracer, kprobe and histogram cases run for real only there
    $tests = if ($Path) { $Path -join ',' } else { (Join-Path $Root 'tests/kernel-vm'), (Join-Path $Root 'tests/WhatIf.Tests.ps1') -join ',' }
    # One emulator thread for both guest CPUs: with a thread per CPU (MTTCG), the 6.1 guest's text patching (tracer
    # on or off: text_poke_bp's IPI to the other CPU) never got its answer, 1 in 5-10 switches here and in CI (soft
    # lockup in smp_call_function_many_cond); with one thread, 0 in 24, at about the same speed.
    $accel = $env:KERNEL_VM_ACCEL
    if (-not $accel) { $env:KERNEL_VM_ACCEL = 'tcg,thread=single' }
    $env:LINUXTRACE_PWSH = (Get-GuestPwshCommand) -join ' '   # guest.sh starts this pwsh (the guest sees the host's files)
    # The two-kernel fleet tests (tests/kernel-vm/remote) run here while the guest serves ssh after its own tests, in the
    # same boot: the guest gets a NIC on QEMU's user network, reached only through a forwarded port on this loopback.
    $remote = if (-not $Path) { @(Join-Path $Root 'tests/kernel-vm/remote') } else { @($Path | ForEach-Object { $_ -split ',' } | Where-Object { $_ -match 'kernel-vm/remote' }) }
    $remoteRun = $null
    $qemuArgs = $env:KERNEL_VM_QEMU_ARGS
    if ($remote -and (Test-KernelFeature sshd)) {
        $sshDir = Join-Path $OutDir 'kernel-vm-ssh'
        if (Test-Path $sshDir) { Remove-Item $sshDir -Recurse -Force }
        New-Item -ItemType Directory -Path $sshDir | Out-Null
        $port = Get-FreeLoopbackPort
        $env:KERNEL_VM_QEMU_ARGS = "$qemuArgs $(Get-VmSshQemuArgument $port)".Trim()
        $env:LINUXTRACE_VM_SSH_DIR = $sshDir; $env:LINUXTRACE_VM_SSH_PORT = "$port"; $env:LINUXTRACE_VM_SSH_READY_WAIT = "$($TimeoutSeconds + 60)"
        $remoteRun = [powershell]::Create()
        $null = $remoteRun.AddScript({
                param($Runner, $PesterModule, $Paths, $OutDir, $HangSeconds, $TimeoutSeconds)
                Import-Module $Runner
                try { Invoke-PesterSuite -PesterModule $PesterModule -Path $Paths -OutDir $OutDir -Name 'two kernels' -HangSeconds $HangSeconds -TimeoutSeconds $TimeoutSeconds }
                finally { New-Item -ItemType File (Join-Path $env:LINUXTRACE_VM_SSH_DIR 'done') -Force | Out-Null }   # the guest may power off
            }).AddArgument((Join-Path $PSScriptRoot 'TestRunner.psm1')).AddArgument($PesterModule).AddArgument($remote).AddArgument($OutDir).AddArgument($TimeoutSeconds + 120).AddArgument($TimeoutSeconds + 300)
        $remoteAsync = $remoteRun.BeginInvoke()
    }
    elseif ($remote) { $res.Notes.Add('two kernels: not run, this machine lacks sshd or ip (apt-get install openssh-server iproute2)') }
    try {
        for ($attempt = 1; $attempt -le 2; $attempt++) {
            if (Test-Path $dir) { Remove-Item $dir -Recurse -Force }
            New-Item -ItemType Directory -Path $dir | Out-Null
            # kernel-vm.sh shares its working directory with the guest, writable: the results land under it
            # the guest writes the running test's name into the shared directory: a test that runs too long is a hang
            $run = Invoke-ChildProcess -FilePath '/bin/bash' -LogFile (Join-Path $OutDir "kernel-vm-$attempt.log") -TimeoutSeconds ($TimeoutSeconds + 60) -WorkingDirectory $Root `
                -Watch (New-CurrentTestWatch (Join-Path $dir 'Pester.current') $HangSeconds) `
                -ArgumentList @((Join-Path $Root 'tests/kernel-vm/kernel-vm.sh'), '--timeout', "$TimeoutSeconds", '--mem', '3G', '--cpus', '2', '--',
                    '/bin/bash', (Join-Path $Root 'tests/kernel-vm/guest.sh'), $dir, $PesterModule, $tests, "$([Math]::Max(30, $HangSeconds - 60))")
            $res.Seconds += $run.Seconds
            $started = Test-Path (Join-Path $dir 'Pester.current')
            $rc = $run.ExitCode
            if ($rc -in 124, 125 -and -not $started -and $attempt -eq 1) {
                [Console]::Out.WriteLine("kernel VM: the guest $(if ($rc -eq 124) { 'hung' } else { 'died' }) before any test started (boot or pwsh start-up, status $rc): booting it once more")
                $res.Notes.Add("kernel VM: the first boot $(if ($rc -eq 124) { 'hung' } else { 'died' }) before any test started and was retried")
                continue
            }
            break
        }
    }
    finally {
        $env:KERNEL_VM_ACCEL = $accel; $env:LINUXTRACE_PWSH = $null; $env:KERNEL_VM_QEMU_ARGS = $qemuArgs
        $env:LINUXTRACE_VM_SSH_DIR = $null; $env:LINUXTRACE_VM_SSH_PORT = $null; $env:LINUXTRACE_VM_SSH_READY_WAIT = $null
        if ($remoteRun) {
            # the guest is gone: a host side still waiting for its sshd is told so, and given a while to finish
            if (-not (Test-Path (Join-Path $sshDir 'ready'))) { Set-Content (Join-Path $sshDir 'failed') "the guest ended (status $($run.ExitCode)) without serving ssh" }
            if ($remoteAsync.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(300))) { $remoteResult = @($remoteRun.EndInvoke($remoteAsync)) | Select-Object -Last 1 }
            else { $remoteRun.Stop(); $remoteResult = New-SuiteResult 'two kernels'; Add-Problem $remoteResult 'still running 300 s after the guest ended: stopped' }
            $remoteRun.Dispose()
        }
    }
    $json = Join-Path $dir 'Pester.json'
    $at = Get-RunningTest (Join-Path $dir 'Pester.current')
    if ($run.Killed) { Add-Problem $res "stopped: $($run.Reason)" }
    # what the guest saw of a hang before it was stopped (guest.sh writes it a minute before the host's limit)
    $hang = Join-Path $dir 'hang.txt'
    if (Test-Path $hang) {
        $lines = @(Get-Content $hang)
        [Console]::Out.WriteLine("kernel VM: the guest's evidence of a long-running test ($hang, $($lines.Count) lines):")
        foreach ($l in $lines | Select-Object -First 400) { [Console]::Out.WriteLine("  hang: $l") }
        if ($rc -notin 124, 125 -and -not $run.Killed) { $res.Notes.Add("kernel VM: a test ran over $([Math]::Max(30, $HangSeconds - 60)) s but finished; the guest's evidence is in the output above") }
    }
    elseif ($rc -eq 3 -and -not $started) {
        $said = @(Get-Content (Join-Path $OutDir "kernel-vm-$attempt.log") | Where-Object { $_ -like 'kernel-vm: *' })
        Add-Problem $res "the kernel VM could not be set up, no guest booted:`n    $(($said | Select-Object -Last 5) -join "`n    ")"
    }
    elseif ($rc -eq 124) { Add-Problem $res "the guest hung$(if ($at) { " while running '$at'" } else { ' before or after the tests' }) (no result within $TimeoutSeconds s)" }
    elseif ($rc -eq 125) { Add-Problem $res "the guest died (kernel panic or emulator crash)$(if ($at) { " while running '$at'" }); the console tail is above" }
    if (Test-Path $json) {
        $r = Get-Content $json -Raw | ConvertFrom-Json
        $res.Found = $r.Found; $res.Passed = $r.Passed; $res.Failed += $r.Failed; $res.Skipped = $r.Skipped
        foreach ($p in $r.Problems) { $res.Problems.Add("kernel VM: $p") }
        foreach ($f in $r.Failures) { $res.Failures.Add("kernel VM $f") }
    }
    elseif ($rc -notin 3, 124, 125 -and -not $run.Killed) {
        Add-Problem $res "the guest's pwsh wrote no results (exit code $rc)$(if ($at) { " while running '$at'" })"
    }
    $dmesg = Join-Path $dir 'dmesg.txt'
    if (Test-Path $dmesg) {
        $bad = @(Get-Content $dmesg | Where-Object { $_ -match $script:KernelTrouble })
        if ($bad) { Add-Problem $res "the guest kernel logged trouble while the tests ran:`n    $(($bad | Select-Object -First 20) -join "`n    ")" }
    }
    elseif ($rc -notin 3, 124, 125 -and -not $run.Killed) { Add-Problem $res 'the guest did not save its kernel log' }
    # kernel trouble the console saw (kernel-vm.sh prints such lines as "kernel-vm console: ...")
    $console = @(Get-Content (Join-Path $OutDir "kernel-vm-$attempt.log") | Where-Object { $_ -like 'kernel-vm console:*' -and $_ -match $script:KernelTrouble })
    if ($console -and -not (Test-Path $dmesg)) { Add-Problem $res "the guest console shows kernel trouble:`n    $(($console | Select-Object -First 20) -join "`n    ")" }
    if ($res.Found -eq 0 -and $res.Problems.Count -eq 0) { Add-Problem $res 'found no tests' }
    $res
    if ($remoteRun) { $remoteResult }
}

# A TCP port nobody listens on at 127.0.0.1 now.
function Get-FreeLoopbackPort {
    $l = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    try { $l.Start(); $l.LocalEndpoint.Port } finally { $l.Stop() }
}

# QEMU arguments that give the kernel VM's guest a NIC on QEMU's user network, isolated (restrict=on), with its
# address's port 22 (tests/kernel-vm/serve-ssh.sh: 10.0.2.15) reachable only at 127.0.0.1:$Port here. (romfile=: no
# boot ROM, which costs a second under the emulator.)
function Get-VmSshQemuArgument([int] $Port) {
    "-netdev user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$Port-10.0.2.15:22 -device virtio-net-pci,netdev=n0,romfile="
}

<#
The pwsh the kernel VM's guest runs: this pwsh with its assemblies compiled ahead (ReadyToRun) by the crossgen2 the
build restored for the engine, cached in the kernel VM's cache by PowerShell and crossgen2 version. PowerShell's
own assemblies ship as IL only; under the emulator their JIT is most of pwsh's start-up and of Pester's import
(measured in the guest: pwsh start 30 s -> 15 s, Import-Module Pester 70 s -> 40 s). Falls back to this pwsh
(returned as is) when crossgen2 is not there.
#>
function Get-GuestPwshCommand {
    $plain = Get-PwshCommand
    $runtime = [Environment]::Version.ToString()
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $crossgen = Join-Path $packages "microsoft.netcore.app.crossgen2.linux-x64/$runtime/tools/crossgen2"
    $framework = [IO.Path]::GetDirectoryName([object].Assembly.Location)
    if (-not (Test-Path $crossgen) -or [Runtime.InteropServices.RuntimeInformation]::OSArchitecture -ne 'X64') {
        [Console]::Out.WriteLine("kernel VM: no crossgen2 $runtime for linux-x64 ($crossgen): the guest runs pwsh as IL (slower start-up)")
        return $plain
    }
    $cache = if ($env:KERNEL_VM_CACHE) { $env:KERNEL_VM_CACHE } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.cache/kernel-vm' }
    $dir = Join-Path $cache "pwsh-$($PSVersionTable.PSVersion)-r2r-$runtime"
    $exe = Join-Path $dir 'pwsh'
    if (Test-Path (Join-Path $dir '.complete')) { return , @($exe) }
    $sw = [Diagnostics.Stopwatch]::StartNew()
    if (Test-Path $dir) { Remove-Item $dir -Recurse -Force }
    $tmp = "$dir.tmp-$PID"
    Copy-Item $PSHOME $tmp -Recurse
    $dlls = @(Get-ChildItem $PSHOME -Filter '*.dll' -File)
    # two at a time (crossgen2 uses threads too; this machine has two CPUs in CI)
    $leftAsIL = $dlls | ForEach-Object -ThrottleLimit 2 -Parallel {
        $out = & $using:crossgen --targetos:linux --targetarch:x64 -O -r "$($using:framework)/*.dll" -r "$($using:PSHOME)/*.dll" $_.FullName -o (Join-Path $using:tmp $_.Name) 2>&1
        if ($LASTEXITCODE -ne 0) { Copy-Item $_.FullName (Join-Path $using:tmp $_.Name) -Force; "$($_.Name): $(@($out)[-1])" }
    }
    Set-Content (Join-Path $tmp '.complete') ''
    Move-Item $tmp $dir
    [Console]::Out.WriteLine(("kernel VM: compiled pwsh's {0} assemblies ahead for the guest in {1:N0} s ({2}){3}" -f $dlls.Count, $sw.Elapsed.TotalSeconds, $dir, $(if ($leftAsIL) { "; left as IL: $($leftAsIL -join '; ')" })))
    , @($exe)
}

<#
Runs tests/kernel-vm/host on this machine after Invoke-KernelVmSuite: the trace files the guest's tests kept
(Save-VmFile, in OUTDIR/kernel-vm/files) read by LinuxTrace and trace-cmd here, where it takes seconds, not the
guest's minutes. Only the checks of the guest test files that ran (-Path) are made; none when the guest left no
results (the kernel VM's own result says why).
#>
function Invoke-KernelVmFileSuite {
    param([Parameter(Mandatory)] [string] $Root, [Parameter(Mandatory)] [string] $PesterModule, [Parameter(Mandatory)] [string] $OutDir,
        [string[]] $Path = @(), [int] $HangSeconds = 300)
    $dir = Join-Path $OutDir 'kernel-vm'
    if (-not (Test-Path (Join-Path $dir 'Pester.json'))) {
        $res = New-SuiteResult 'kernel VM files'
        $res.Notes.Add('kernel VM files: not checked, the kernel VM left no results')
        return $res
    }
    $ran = if ($Path) { @($Path | ForEach-Object { $_ -split ',' } | Where-Object { $_ } | ForEach-Object { Split-Path $_ -Leaf }) }
    else { @(Get-ChildItem (Join-Path $Root 'tests/kernel-vm') -Filter '*.Tests.ps1' -File | ForEach-Object Name) }
    # the guest test files the host checks read from ("if ($script:Ran -contains 'X.Tests.ps1')" in each check file)
    $checked = @(Select-String -Path (Join-Path $Root 'tests/kernel-vm/host/*.Tests.ps1') -Pattern "Ran -contains '([^']+)'" -AllMatches |
        ForEach-Object { $_.Matches } | ForEach-Object { $_.Groups[1].Value })
    if (-not @($ran | Where-Object { $_ -in $checked })) {
        $res = New-SuiteResult 'kernel VM files'
        $res.Notes.Add("kernel VM files: none to check for $($ran -join ', ')")
        return $res
    }
    $env:LINUXTRACE_VM_FILES = Join-Path $dir 'files'
    $env:LINUXTRACE_VM_RAN = $ran -join ','
    try { Invoke-PesterSuite -PesterModule $PesterModule -Path @(Join-Path $Root 'tests/kernel-vm/host') -OutDir $OutDir -Name 'kernel VM files' -HangSeconds $HangSeconds -TimeoutSeconds 600 }
    finally { $env:LINUXTRACE_VM_FILES = $null; $env:LINUXTRACE_VM_RAN = $null }
}

# ---- the whole run --------------------------------------------------------------------------------

function Write-TestSummary([object[]] $Results) {
    $passed = 0; $failed = 0; $skipped = 0
    [Console]::Out.WriteLine('')
    foreach ($r in $Results) {
        # every test found has a result, and a problem (a suite's, not one test's) is never a pass
        $unaccounted = $r.Found - ($r.Passed + $r.Failed + $r.Skipped)
        if ($unaccounted -gt 0) { Add-Problem $r "$unaccounted of the $($r.Found) tests found have no result" $unaccounted }
        if ($r.Problems.Count -gt 0 -and $r.Failed -eq 0) { $r.Failed = $r.Problems.Count }
        [Console]::Out.WriteLine(('{0}: {1} passed, {2} failed, {3} skipped of {4} found ({5:N0} s)' -f $r.Name, $r.Passed, $r.Failed, $r.Skipped, $r.Found, $r.Seconds))
        $passed += $r.Passed; $failed += $r.Failed; $skipped += $r.Skipped
    }
    foreach ($n in @($Results | ForEach-Object { $_.Notes })) { [Console]::Out.WriteLine("NOTE $n") }
    foreach ($p in @($Results | ForEach-Object { $_.Problems })) { [Console]::Out.WriteLine("PROBLEM $p") }
    foreach ($f in @($Results | ForEach-Object { $_.Failures })) { [Console]::Out.WriteLine("FAILED $f") }
    [Console]::Out.WriteLine("$passed passed, $failed failed, $skipped skipped")
    return ($failed -eq 0 -and -not @($Results | Where-Object { $_.Problems.Count }))
}

Export-ModuleMember -Function Get-FreeLoopbackPort, Get-VmSshQemuArgument, Get-GuestPwshCommand, New-SuiteResult, Add-Problem, Get-TracingUnrest, Invoke-ChildProcess, Invoke-EngineSuite, Invoke-PesterSuite, Invoke-KernelVmSuite, Invoke-KernelVmFileSuite, Write-TestSummary, Get-PwshCommand, Test-KernelFeature
