import CLockRecover

/// The C library's own text for a status, to compare the binding with.
func lkr_strerror_for_test(_ status: Int32) -> UnsafePointer<CChar> { lkr_strerror(status) }
