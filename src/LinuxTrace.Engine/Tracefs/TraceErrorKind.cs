namespace LinuxTrace.Engine.Tracefs;

/// <summary>What kind of failure a tracing operation met; the cmdlets map it to an ErrorCategory.</summary>
public enum TraceErrorKind
{
    /// <summary>Other I/O failure.</summary>
    Failed,
    /// <summary>EPERM/EACCES: the kernel or the host refused.</summary>
    PermissionDenied,
    /// <summary>ENOENT/ENODEV: the feature or file is not on this kernel.</summary>
    NotSupported,
    /// <summary>EINVAL: the kernel rejected a value (filter, probe definition, option...).</summary>
    InvalidArgument,
    /// <summary>EBUSY: in use (an enabled probe, a buffer being read).</summary>
    Busy,
    /// <summary>A named object (instance, event, option, file) does not exist.</summary>
    NotFound,
    /// <summary>Malformed data (format file, ring-buffer page, trace.dat).</summary>
    InvalidData,
    /// <summary>tracefs is not mounted or not reachable.</summary>
    NotMounted,
    /// <summary>The object already exists.</summary>
    AlreadyExists,
}
