@{
    Synopsis    = 'Adds a hist trigger to an event: the kernel counts and sums by key as the event fires, and no event data leaves the kernel.'
    Description = @(
        'New-TraceHistogram writes hist:keys=...[:vals=...][:sort=...][:size=...][ if FILTER] to the event''s trigger file (Documentation/trace/histogram.rst). Keys are fields with the kernel''s modifiers where wanted: call_site.sym (the symbol), id.syscall (the syscall''s name), common_pid.execname (the command), bytes_req.log2 (power-of-two buckets). Get-TraceHistogram reads the table into the same group objects Measure-TraceEvent makes; Remove-TraceHistogram removes the trigger.'
        'A definition the kernel refuses (a field the event does not have, a bad modifier) is an error with the kernel''s own words from error_log and a caret under the position; nothing is left behind. Kernels without CONFIG_HIST_TRIGGERS get a NotImplemented error; Measure-TraceEvent aggregates in LinuxTrace''s engine there.'
    )
    Parameters  = @{
        Event    = 'The event: system:event.'
        Key      = 'Key fields, with modifiers: call_site.sym, id.syscall, common_pid.execname, bytes_req.log2.'
        Value    = 'Numeric fields to sum per key; hitcount is always counted.'
        Filter   = 'A filter in the kernel''s syntax: only events it matches are counted.'
        Sort     = 'Sort keys: hitcount.descending, bytes_req ...'
        Size     = 'How many entries the kernel''s table holds (2048 by default).'
        Instance = 'The instance whose event gets the trigger; the top instance when omitted.'
        PassThru = 'Return the trigger as the kernel lists it.'
    }
    Examples    = @(
        @{ Title = 'Who calls kmalloc, and for how much'; Code = "New-TraceHistogram kmem:kmalloc -Key call_site.sym -Value bytes_req -Sort hitcount.descending`nStart-Sleep 5`nGet-TraceHistogram kmem:kmalloc | Select-Object -First 10 Count, call_site, Sum`nRemove-TraceHistogram kmem:kmalloc"; Remarks = 'The kernel keeps the table; Get-TraceHistogram reads it at any time.' }
        @{ Title = 'Syscalls by command'; Code = 'New-TraceHistogram raw_syscalls:sys_enter -Key id.syscall, common_pid.execname'; Remarks = 'Each group has id and syscall, common_pid and ProcessName.' }
    )
    Links       = @('Get-TraceHistogram', 'Remove-TraceHistogram', 'Measure-TraceEvent')
}
