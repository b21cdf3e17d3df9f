/// The bounds a child process runs within. A hostile PDF can make a parser loop, allocate
/// without end or print without end; each of these costs that one file, never the run.
public struct ChildLimits: Sendable, Equatable {
    /// Wall-clock time before the child is killed.
    public var seconds: Double
    /// Address-space limit (`RLIMIT_AS`) set with `prlimit(1)` where it exists.
    public var memoryBytes: Int
    /// Standard output beyond this many bytes stops the child.
    public var outputBytes: Int

    public init(seconds: Double, memoryBytes: Int, outputBytes: Int) {
        self.seconds = seconds
        self.memoryBytes = memoryBytes
        self.outputBytes = outputBytes
    }

    /// What poppler gets by default: generous for real documents (the 615-page manual in
    /// the test corpus needs about 3 s of CPU and 60 MB), small enough that a runaway stops
    /// within a minute and a gigabyte.
    public static let poppler = ChildLimits(seconds: 120, memoryBytes: 1 << 30, outputBytes: 512 << 20)
}
