@{
    Synopsis    = 'Lists the kernel''s kprobes and kretprobes, whoever made them, with their hits and where they are enabled.'
    Description = @('Get-KProbe reads dynamic_events (or kprobe_events) and kprobe_profile. Each probe is a DynamicProbe: its EventName (group:name, for Start-Trace -Event), Type, Target (function+offset), Arguments, Definition (the kernel''s line), Hits, Misses (calls the kernel could not handle, such as a kretprobe with too small a MaxActive) and EnabledIn (the instances that trace it). Pipe it to Remove-KProbe.')
    Parameters  = @{
        Name  = 'Probe names or group:name; wildcards are allowed.'
        Group = 'Only probes of this event system.'
    }
    Examples    = @(
        @{ Title = 'All kernel probes'; Code = 'Get-KProbe'; Remarks = 'A table of every kprobe and kretprobe with hits and where it is enabled.' }
        @{ Title = 'Remove the ones you made'; Code = 'Get-KProbe lt_* | Remove-KProbe'; Remarks = 'Removes every kernel probe whose name starts with lt_.' }
    )
    Links       = @('Add-KProbe', 'Remove-KProbe', 'Get-UProbe')
}
