@{
    Synopsis    = 'Lists the kernel''s uprobes and uretprobes, whoever made them, with their hits and where they are enabled.'
    Description = @('Get-UProbe reads dynamic_events (or uprobe_events) and uprobe_profile. Each probe is a DynamicProbe with its EventName (group:name), Type, Path and Offset (the file offset), ReferenceCounterOffset (a USDT semaphore), Arguments, Definition, Hits and EnabledIn. Pipe it to Remove-UProbe.')
    Parameters  = @{
        Name  = 'Probe names or group:name; wildcards are allowed.'
        Group = 'Only probes of this event system.'
    }
    Examples    = @(
        @{ Title = 'All user probes'; Code = 'Get-UProbe'; Remarks = 'A table of every uprobe and uretprobe with hits and where it is enabled.' }
        @{ Title = 'Which probe fired most'; Code = 'Get-UProbe | Sort-Object Hits -Descending | Select-Object -First 5 EventName, Hits'; Remarks = 'The five busiest user probes.' }
    )
    Links       = @('Add-UProbe', 'Remove-UProbe', 'Get-UsdtProbe', 'Get-KProbe')
}
