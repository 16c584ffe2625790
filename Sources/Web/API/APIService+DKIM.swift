import Admin
import MailAuth

extension APIService {
    func listDKIMKeys(_ input: Operations.ListDKIMKeys.Input) async throws -> Operations.ListDKIMKeys.Output {
        let keys = try await console.dkimKeys(as: principal())
        return .ok(.init(body: .json(.init(items: keys.map { .init($0) }))))
    }

    func listDomainDKIMKeys(_ input: Operations.ListDomainDKIMKeys.Input) async throws
        -> Operations.ListDomainDKIMKeys.Output
    {
        let keys = try await console.dkimKeys(as: principal(), domain: input.path.domain)
        return .ok(.init(body: .json(.init(items: keys.map { .init($0) }))))
    }

    func createDKIMKey(_ input: Operations.CreateDKIMKey.Input) async throws -> Operations.CreateDKIMKey.Output {
        let principal = try await principal()
        guard case .json(let request) = input.body else { throw APIProblem(.unsupportedMediaType) }
        let key = try await console.generateDKIMKey(
            as: principal, domain: input.path.domain, algorithm: request.algorithm == .ed25519 ? .ed25519SHA256 : .rsaSHA256,
            bits: request.bits ?? 2048, selector: request.selector)
        return .created(.init(body: .json(.init(key))))
    }

    func rotateDKIMKeys(_ input: Operations.RotateDKIMKeys.Input) async throws -> Operations.RotateDKIMKeys.Output {
        let principal = try await principal()
        guard case .json(let request) = input.body else { throw APIProblem(.unsupportedMediaType) }
        let algorithm: DKIMAlgorithm? = request.algorithm.map { $0 == .ed25519 ? .ed25519SHA256 : .rsaSHA256 }
        let rotated = try await console.rotateDKIMKeys(
            as: principal, domain: input.path.domain, algorithm: algorithm,
            keepDays: request.keepDays ?? Int(DKIMKeyStore.defaultRetirementDelay / 86_400))
        return .ok(
            .init(body: .json(.init(items: rotated.map { .init(retiring: .init($0.retiring), active: .init($0.active)) }))))
    }

    func retireDKIMKey(_ input: Operations.RetireDKIMKey.Input) async throws -> Operations.RetireDKIMKey.Output {
        let principal = try await principal()
        guard case .json(let request) = input.body else { throw APIProblem(.unsupportedMediaType) }
        let force = request.force ?? false
        let key = try await console.retireDKIMKey(
            as: principal, domain: input.path.domain, selector: input.path.selector, force: force)
        return .ok(.init(body: .json(.init(key))))
    }
}

extension Components.Schemas.DKIMKey {
    init(_ key: DKIMKeyInfo) {
        let state: StatePayload =
            switch key.state {
            case .active: .active
            case .retiring: .retiring
            case .retired: .retired
            }
        self.init(
            domain: key.domain, selector: key.selector, algorithm: key.algorithm == .ed25519SHA256 ? .ed25519Sha256 : .rsaSha256,
            bits: key.bits, state: state, createdAt: key.createdAt, retireAfter: key.retireAfter, retiredAt: key.retiredAt,
            dnsName: key.dnsName, dnsRecord: key.dnsRecord)
    }
}
