@{
    Synopsis    = 'Writes a flame graph of kernel stacks or of function-graph calls: a self-contained interactive SVG, or folded stacks for flamegraph.pl, inferno and speedscope.'
    Description = @(
        'Export-TraceFlameGraph merges stacks into a tree and draws it as Brendan Gregg''s flame graphs do: each frame as wide as the samples that pass through it, callers below callees. The SVG needs no network: hovering a frame shows its name, its amount and its share; clicking zooms into it (Reset zoom goes back); Search highlights frames that match a regular expression and shows their share. -Format Folded writes "a;b;c weight" lines instead.'
        'Inputs: events with stacks (Start-Trace -StackTrace, or a trace.dat recorded with stacks, such as trace-cmd record -T), each weighted by 1 or by a numeric property (-Weight; a TimeSpan weighs its nanoseconds); FunctionCall objects from function_graph tracing, weighted by their self time; from the pipeline, from trace.dat files (-TraceFile) or from a session (-Session).'
        'Off-CPU time (-OffCpu): the stack a sched_switch records is where its task stopped running; the sample is weighted by the time until the task ran again, so wide frames are where tasks waited longest.'
    )
    Parameters  = @{
        Path        = 'The file to write.'
        InputObject = 'Events with stacks, or FunctionCall objects.'
        TraceFile   = 'trace.dat files to read events (with stacks) or function_graph calls from.'
        Session     = 'A session (Start-Trace -AsSession) whose buffer is read.'
        Weight      = 'A numeric property that weighs each event''s stack (a latency, bytes); each event counts 1 without it.'
        OffCpu      = 'Weigh sched_switch stacks by the time until the task that stopped ran again.'
        ByProcess   = 'Put each stack under its process''s name.'
        Format      = 'Svg (the default) or Folded.'
        Title       = 'The heading of the SVG.'
        PassThru    = 'Return the written file.'
    }
    Outputs     = @{ FileInfo = 'With -PassThru: the SVG or folded-stacks file written, as Get-Item gives it.' }
    Examples    = @(
        @{ Title = 'Where tasks wait (off-CPU)'; Code = 'Start-Trace -Event sched:sched_switch -StackTrace -Duration 00:00:05 | Export-TraceFlameGraph -Path off.svg -OffCpu -ByProcess'; Remarks = 'Records every context switch with its kernel stack for five seconds and draws where tasks were switched out, weighted by how long they stayed out.' }
        @{ Title = 'Which kernel paths open files'; Code = 'Start-Trace -Event syscalls:sys_enter_openat -StackTrace -Duration 00:00:05 | Export-TraceFlameGraph -Path open.svg'; Remarks = 'One sample per openat, by its kernel stack.' }
        @{ Title = 'A call graph by self time'; Code = 'Start-Trace -Tracer function_graph -GraphFunction do_sys_openat2 -Command ls | Export-TraceFlameGraph -Path graph.svg'; Remarks = 'Where the kernel spends its time under do_sys_openat2 (where function_graph is available).' }
        @{ Title = 'For other tools'; Code = 'Export-TraceFlameGraph -TraceFile trace.dat -Path stacks.folded -Format Folded'; Remarks = 'Folded stacks of a trace-cmd record -T file, for flamegraph.pl or speedscope.' }
    )
    Links       = @('Start-Trace', 'Measure-TraceEvent')
}
