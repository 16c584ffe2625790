import NIOConcurrencyHelpers

/// Wakes one waiting task: `notify()` before `wait` is remembered, so no wake-up is lost.
public final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = NIOLockedValueBox(State())

    public init() {}

    public func notify() {
        let waiter = state.withLockedValue { s -> CheckedContinuation<Void, Never>? in
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns when notified, or after `timeout`, or when the task is cancelled.
    public func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                        let resumeNow = self.state.withLockedValue { s -> Bool in
                            if s.pending || Task.isCancelled {
                                s.pending = false
                                return true
                            }
                            s.waiter?.resume()
                            s.waiter = c
                            return false
                        }
                        if resumeNow { c.resume() }
                    }
                } onCancel: {
                    self.notifyWaiterOnly()
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
            self.notifyWaiterOnly()
            await group.waitForAll()
        }
    }

    /// Resumes a current waiter without leaving a pending notification behind.
    private func notifyWaiterOnly() {
        let waiter = state.withLockedValue { s -> CheckedContinuation<Void, Never>? in
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }
}
