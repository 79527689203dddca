@{
    Synopsis    = 'Creates a uprobe or uretprobe: an event that fires when any process runs a function of a program or library, a file offset, or a USDT probe point.'
    Description = @(
        'The kernel takes a uprobe as PATH:FILE-OFFSET. Add-UProbe finds the offset for you: it reads the ELF file''s symbol tables (.symtab and .dynsym) and turns the symbol''s address into a file offset through the program headers, for executables, PIE programs and shared libraries alike. -Path takes a path (relative to the current location), a program on PATH (bash) or a library name (libc, resolved through the dynamic linker''s cache); with -ProcessId, the library that process has mapped, seen through its root, so a container''s own libc is the one probed.'
        'An unknown function is an error with close matches from the file''s own symbols. An indirect function (IFUNC, such as memcpy in glibc) gets a warning: its symbol is the resolver, which runs once, not on every call.'
        'With -Sdt provider:name the probe is placed at a USDT probe point (.note.stapsdt, as sys/sdt.h makes them): the note''s address is adjusted for .stapsdt.base, each of its argument specifications becomes a typed fetch argument (arg1, arg2 ...; -4@%eax becomes arg1=%ax:s32, 8@-16(%rbp) becomes arg2=-16(%bp):u64), and a semaphore is given to the kernel as the reference counter it raises while the probe is on. Get-UsdtProbe lists the probe points of a file.'
        'A uprobe watches the file, so it fires in every process that runs the code; Start-Trace -ProcessId or -Command limits what is recorded. A definition the kernel refuses is an error with the kernel''s own words from error_log and a caret; nothing is left behind. Probes stay until Remove-UProbe; Start-Trace -UProbe makes probes for one trace only.'
    )
    Parameters  = @{
        Name       = 'The event''s name: letters, digits and _, not starting with a digit. With -Sdt it defaults to the USDT probe''s name.'
        Path       = 'The program or library: a path, a program on PATH, or a library name such as libc.'
        Function   = 'The function, by its symbol name; -Offset adds bytes into it.'
        Offset     = 'A file offset (alone), or bytes into -Function.'
        Sdt        = 'A USDT probe point of the file, provider:name (libstdcxx:throw).'
        Return     = 'Fire when the function returns (a uretprobe); $retval then holds its return value.'
        Argument   = 'Fetch arguments: a hashtable of name = fetcharg[:type], or strings ''name=fetcharg:type''. With -Sdt they come after the note''s own arguments.'
        ProcessId  = 'Resolve -Path as this process sees it: the library it has mapped, through /proc/PID/root.'
        Group      = 'The event system to create the event in (uprobes by default).'
        Definition = 'A whole definition in the kernel''s syntax; the place may name a symbol instead of an offset: ''r:rl bash:readline line=+0($retval):string''.'
        PassThru   = 'Return the probe as the kernel lists it.'
    }
    Examples    = @(
        @{ Title = 'Every getpid() call, and what it returned'; Code = "Add-UProbe -Name lt_getpidr -Path libc -Function getpid -Return -Argument @{ ret = '`$retval:s32' }`nStart-Trace -Event uprobes:lt_getpidr -Command sh -ArgumentList '-c','echo `$`$' | Select-Object ProcessId, ret`nRemove-UProbe lt_getpidr"; Remarks = 'A uretprobe on libc''s getpid: each event''s ret is the pid the program saw.' }
        @{ Title = 'Lines typed into bash'; Code = "Add-UProbe -Definition 'r:rl bash:readline line=+0(`$retval):string'`nStart-Trace -Event uprobes:rl -Duration 00:00:30 | Select-Object ProcessId, line"; Remarks = 'bash''s readline returns the line it read: the probe fetches the string its return value points to.' }
        @{ Title = 'C++ exceptions'; Code = 'Add-UProbe -Path libstdc++ -Sdt libstdcxx:throw'; Remarks = 'Makes uprobes:throw at the USDT point libstdc++ fires for every throw, with the exception object and its type info as arg1 and arg2.' }
    )
    Links       = @('Get-UProbe', 'Remove-UProbe', 'Get-UsdtProbe', 'Add-KProbe', 'Start-Trace')
}
