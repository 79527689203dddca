@{
    Synopsis    = 'Creates a kprobe or kretprobe: an event that fires when the kernel enters or leaves a function, with named, typed fetch arguments as its fields.'
    Description = @(
        'Add-KProbe writes a probe definition to dynamic_events (kprobe_events on kernels without it). The event appears as kprobes:NAME (or GROUP:NAME with -Group), starts disabled, and is traced like any event: Start-Trace -Event kprobes:NAME. Each fetch argument becomes a field of the event and a typed property of the event object under its own name (string for :string, uint for :u32, ulong for :x64).'
        'The function is checked against the kernel''s text symbols (/proc/kallsyms) before anything is written: an unknown name is an error with close matches (do_sys_open became do_sys_openat2 in Linux 5.6), a name several functions share and a blacklisted function say so. Arguments use the kernel''s fetch syntax: registers (%di, %si on x86-64), $arg1.. (function arguments where the kernel supports them), $retval and $comm, dereferences +OFFSET(FETCHARG), and the types u8..u64, s8..s64, x8..x64, string, ustring, symbol. A definition the kernel refuses (a bad register, type, brace) is an error with the kernel''s own words from error_log and a caret under the position; nothing is left behind.'
        'Probes made with Add-KProbe stay until removed (Remove-KProbe), as in the kernel. Start-Trace -KProbe makes probes that live for one trace only. Kernels without CONFIG_KPROBE_EVENTS (or hosts that leave kprobes out) get a NotImplemented error that says so.'
    )
    Parameters  = @{
        Name       = 'The event''s name: letters, digits and _, not starting with a digit.'
        Function   = 'The kernel function (SYMBOL, MODULE:SYMBOL) or an address (0x...).'
        Offset     = 'Bytes into the function; must be an instruction boundary.'
        Return     = 'Fire when the function returns (a kretprobe); $retval then holds its return value.'
        Argument   = 'Fetch arguments: a hashtable of name = fetcharg[:type] (an [ordered] one keeps its order), or strings ''name=fetcharg:type''.'
        MaxActive  = 'Return probes: how many calls of the function may be pending at once.'
        Group      = 'The event system to create the event in (kprobes by default).'
        Definition = 'A whole definition in the kernel''s syntax, as kprobetrace.rst documents it: ''p:myopen do_sys_openat2 filename=+0(%si):string''.'
        PassThru   = 'Return the probe as the kernel lists it.'
    }
    Examples    = @(
        @{ Title = 'The file names a program opens'; Code = "Add-KProbe -Name lt_open -Function do_sys_openat2 -Argument @{ filename = '+0(%si):string' }`nStart-Trace -Event kprobes:lt_open -Command cat -ArgumentList /etc/hostname | Select-Object ProcessName, filename`nRemove-KProbe lt_open"; Remarks = 'do_sys_openat2(dfd, filename, how): on x86-64 the second argument is in %si; +0(%si):string reads the string it points to.' }
        @{ Title = 'Return values'; Code = "Add-KProbe lt_openret do_sys_openat2 -Return -Argument 'ret=`$retval:s64'"; Remarks = 'A kretprobe: each event''s ret property is the file descriptor or a negative errno.' }
        @{ Title = 'A renamed function'; Code = 'Add-KProbe lt_old do_sys_open'; Remarks = 'On kernels where do_sys_open no longer exists, fails with KernelFunctionNotFound and names do_sys_openat2 as a close match.' }
        @{ Title = 'See what would be written'; Code = "Add-KProbe lt_read vfs_read -Argument 'count=%dx:u64' -WhatIf"; Remarks = 'Checks the function and shows the definition without creating it.' }
    )
    Links       = @('Get-KProbe', 'Remove-KProbe', 'Add-UProbe', 'Start-Trace')
}
