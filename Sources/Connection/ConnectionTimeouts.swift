import NIOCore

/// What a protocol handler tells its connection's timers, with
/// `context.triggerUserOutboundEvent(ConnectionActivity.busy, promise: nil)`.
public enum ConnectionActivity: Sendable, Hashable {
    /// The server is working on the client's command (an effect such as end-of-DATA's fsync or a
    /// filter runs): the client waits for us, so it is not idle.
    case busy
    /// The command is answered: the idle clock starts again now.
    case ready
    /// The client has logged in: the login deadline no longer applies.
    case authenticated
}

/// Fired inbound by `ConnectionTimeouts`. A protocol handler consumes it to say goodbye in its
/// own protocol (SMTP `421`, POP3 `-ERR`, IMAP `* BYE`) and close; unconsumed, the listener closes.
public enum ConnectionTimeout: Sendable, Hashable {
    /// Nothing was received for the idle timeout while the server was not busy with a command.
    /// Fired again each further timeout, so a handler may ignore it (IMAP's longer autologout).
    case idle
    /// The client has not logged in within the login timeout, counted from the connection's start
    /// (however busy it keeps the line). Fired once; when it falls on a command in progress
    /// (a login being checked), it waits until that command is answered.
    case loginDeadline
}

/// The timers of one connection, placed after any TLS handler and before the protocol's:
/// - idle: no input for `idle` while the server was not `busy` fires `ConnectionTimeout.idle`, so a
///   slow command (end-of-DATA awaiting fsync) never times its own client out — the client would send
///   an accepted message again (RFC 5321 §4.5.3.2 timeouts are for the client's silence);
/// - stalled writes: a peer that reads none of our output for `idle` is closed at once (no goodbye
///   could reach it), so pipelining without reading cannot hold a connection slot forever;
/// - login deadline: `loginTimeout` after the connection opened, unless `authenticated` came first.
public final class ConnectionTimeouts: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = NIOAny
    public typealias OutboundIn = NIOAny

    private let idle: TimeAmount
    private let loginTimeout: TimeAmount?
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var busy = false
    private var authenticated = false
    private var loginExpired = false
    private var idleTask: Scheduled<Void>?
    private var loginTask: Scheduled<Void>?
    private var stallTask: Scheduled<Void>?

    public init(idle: TimeAmount, loginTimeout: TimeAmount?) {
        self.idle = idle
        self.loginTimeout = loginTimeout
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        lastActivity = context.eventLoop.now
        scheduleIdle(context, at: lastActivity + idle)
        if let loginTimeout {
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            loginTask = context.eventLoop.scheduleTask(in: loginTimeout) {
                let (handler, context) = bound.value
                handler.loginExpired = true
                handler.fireLoginDeadlineIfDue(context)
            }
        }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        idleTask?.cancel()
        loginTask?.cancel()
        stallTask?.cancel()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        handlerRemoved(context: context)
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = context.eventLoop.now
        context.fireChannelRead(data)
    }

    /// A server shutting down closes at once a peer that reads nothing: no goodbye would reach it.
    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !context.channel.isWritable {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            stallTask?.cancel()
            stallTask = nil
        } else if stallTask == nil {
            stallTask = context.eventLoop.scheduleTask(in: idle) { [channel = context.channel] in
                channel.close(promise: nil)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    public func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let activity = event as? ConnectionActivity else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        switch activity {
        case .busy:
            busy = true
        case .ready:
            busy = false
            lastActivity = context.eventLoop.now
            fireLoginDeadlineIfDue(context)
        case .authenticated:
            authenticated = true
            loginTask?.cancel()
            loginTask = nil
        }
        promise?.succeed()
    }

    private func fireLoginDeadlineIfDue(_ context: ChannelHandlerContext) {
        guard loginExpired, !authenticated, !busy else { return }
        loginExpired = false
        authenticated = true  // fired once
        context.fireUserInboundEventTriggered(ConnectionTimeout.loginDeadline)
    }

    private func scheduleIdle(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        idleTask = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.idleCheck(context)
        }
    }

    private func idleCheck(_ context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        let now = context.eventLoop.now
        if busy || now - lastActivity < idle {
            scheduleIdle(context, at: busy ? now + idle : lastActivity + idle)
            return
        }
        scheduleIdle(context, at: now + idle)
        context.fireUserInboundEventTriggered(ConnectionTimeout.idle)
    }
}
