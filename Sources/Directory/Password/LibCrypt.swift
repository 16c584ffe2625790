import CCrypt

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Thread-safe access to libxcrypt's crypt(3) family.
///
/// `crypt_r` keeps its state in a caller-owned `struct crypt_data` (32 KiB),
/// so each call allocates one on the heap instead of the stack, zeroes it
/// before use as libxcrypt asks, and wipes it before freeing.
enum LibCrypt {
    /// Longest passphrase libxcrypt accepts, in bytes (CRYPT_MAX_PASSPHRASE_SIZE minus the NUL).
    static let maxPassphraseBytes = Int(CRYPT_MAX_PASSPHRASE_SIZE) - 1

    /// `crypt_r(password, setting)`, or nil if libcrypt reports failure
    /// (a result starting with `*`), or the password cannot be passed as a
    /// C string (an embedded NUL would silently truncate it, or it is too long).
    static func crypt(_ password: String, setting: String) -> String? {
        guard !password.utf8.contains(0), password.utf8.count <= maxPassphraseBytes,
            !setting.utf8.contains(0)
        else { return nil }
        let size = MemoryLayout<crypt_data>.size
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        let raw = UnsafeMutableRawPointer(data)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        defer {
            wipe(raw, count: size)
            data.deallocate()
        }
        guard let result = crypt_r(password, setting, data) else { return nil }
        let hashed = String(cString: result)
        guard !hashed.isEmpty, !hashed.hasPrefix("*") else { return nil }
        return hashed
    }

    /// A fresh setting for `prefix` (e.g. `$y$`) with libxcrypt's default cost
    /// and its own randomness (getrandom/`/dev/urandom`).
    static func generateSetting(prefix: String) -> String? {
        let size = Int(CRYPT_GENSALT_OUTPUT_SIZE)
        var output = [CChar](repeating: 0, count: size)
        let generated = output.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let setting = crypt_gensalt_rn(prefix, 0, nil, 0, buffer.baseAddress, Int32(size)) else {
                return nil
            }
            return String(cString: setting)
        }
        guard let setting = generated, !setting.isEmpty, !setting.hasPrefix("*") else { return nil }
        return setting
    }

    /// Whether libxcrypt recognises the method and parameters in `setting`
    /// (a setting or a full hash). Legacy methods such as DES count as valid.
    static func isRecognised(_ setting: String) -> Bool {
        guard !setting.utf8.contains(0) else { return false }
        return crypt_checksalt(setting) != CRYPT_SALT_INVALID
    }

    private static func wipe(_ pointer: UnsafeMutableRawPointer, count: Int) {
        #if canImport(Glibc) || canImport(Musl)
            explicit_bzero(pointer, count)
        #else
            pointer.initializeMemory(as: UInt8.self, repeating: 0, count: count)
        #endif
    }
}
