namespace LinuxTrace;

/// <summary>How much of a call the trace saw.</summary>
public enum FunctionCallStatus
{
    /// <summary>Entry and return were both recorded.</summary>
    Returned,
    /// <summary>The call had not returned when the trace ended, or its return was lost: Duration is up to the last record seen.</summary>
    NoReturn,
    /// <summary>Only the return was recorded (the call began before the trace, or its entry was lost); the kernel's call time gives the start.</summary>
    NoEntry,
}
