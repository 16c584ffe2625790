import SwiftASN1

/// The protocolOp CHOICE of RFC 4511 §4.1.1, by application tag.
extension LDAPProtocolOp {
    func write(into coder: inout DER.Serializer) throws {
        switch self {
        case .bindRequest(let version, let name, let password):
            // BindRequest ::= [APPLICATION 0] SEQUENCE { version INTEGER (1..127), name LDAPDN,
            //     authentication AuthenticationChoice }, simple [0] OCTET STRING (§4.2)
            guard (1...127).contains(version) else { throw LDAPCodecError.invalidValue("bind version \(version)") }
            coder.appendConstructedNode(identifier: .application(0)) { coder in
                coder.writeInteger(version)
                coder.writeString(name)
                coder.writeOctets(password, tag: .context(0))
            }
        case .bindResponse(let result):
            coder.appendConstructedNode(identifier: .application(1)) { result.writeComponents(into: &$0) }
        case .unbindRequest:
            // UnbindRequest ::= [APPLICATION 2] NULL (§4.3)
            coder.writeOctets([], tag: .application(2))
        case .searchRequest(let request):
            try request.write(into: &coder)
        case .searchResultEntry(let entry):
            entry.write(into: &coder)
        case .searchResultReference(let uris):
            // SearchResultReference ::= [APPLICATION 19] SEQUENCE SIZE (1..MAX) OF uri URI (§4.5.3)
            coder.appendConstructedNode(identifier: .application(19)) { coder in
                for uri in uris { coder.writeString(uri) }
            }
        case .searchResultDone(let result):
            coder.appendConstructedNode(identifier: .application(5)) { result.writeComponents(into: &$0) }
        case .compareRequest(let dn, let attribute, let value):
            // CompareRequest ::= [APPLICATION 14] SEQUENCE { entry LDAPDN, ava AttributeValueAssertion } (§4.10)
            coder.appendConstructedNode(identifier: .application(14)) { coder in
                coder.writeString(dn)
                coder.appendConstructedNode(identifier: .sequence) { coder in
                    coder.writeString(attribute)
                    coder.writeOctets(value)
                }
            }
        case .compareResponse(let result):
            coder.appendConstructedNode(identifier: .application(15)) { result.writeComponents(into: &$0) }
        case .abandonRequest(let id):
            // AbandonRequest ::= [APPLICATION 16] MessageID (§4.11)
            guard id >= 0 else { throw LDAPCodecError.invalidValue("negative message ID \(id)") }
            coder.writeInteger(id, tag: .application(16))
        case .extendedRequest(let name, let value):
            // ExtendedRequest ::= [APPLICATION 23] SEQUENCE { requestName [0] LDAPOID,
            //     requestValue [1] OCTET STRING OPTIONAL } (§4.12)
            coder.appendConstructedNode(identifier: .application(23)) { coder in
                coder.writeString(name, tag: .context(0))
                if let value { coder.writeOctets(value, tag: .context(1)) }
            }
        case .extendedResponse(let result, let name, let value):
            // ExtendedResponse ::= [APPLICATION 24] SEQUENCE { COMPONENTS OF LDAPResult,
            //     responseName [10] LDAPOID OPTIONAL, responseValue [11] OCTET STRING OPTIONAL }
            coder.appendConstructedNode(identifier: .application(24)) { coder in
                result.writeComponents(into: &coder)
                if let name { coder.writeString(name, tag: .context(10)) }
                if let value { coder.writeOctets(value, tag: .context(11)) }
            }
        case .intermediateResponse(let name, let value):
            // IntermediateResponse ::= [APPLICATION 25] SEQUENCE { responseName [0] LDAPOID OPTIONAL,
            //     responseValue [1] OCTET STRING OPTIONAL } (§4.13)
            coder.appendConstructedNode(identifier: .application(25)) { coder in
                if let name { coder.writeString(name, tag: .context(0)) }
                if let value { coder.writeOctets(value, tag: .context(1)) }
            }
        }
    }

    init(decoding node: ASN1Node) throws(LDAPCodecError) {
        guard node.identifier.tagClass == .application else { throw .malformed("protocolOp: unexpected \(node.identifier)") }
        let tag = node.identifier.tagNumber
        switch tag {
        case 0:
            var reader = try BERSequenceReader(node, tag: .application(0), "BindRequest")
            let version = try reader.next().integer(in: 1...127, "version")
            let name = try reader.next().string("name")
            // Only simple authentication; SASL ([3]) is not supported.
            let password = try reader.next().octets(.context(0), "simple")
            try reader.finish()
            self = .bindRequest(version: Int(version), name: name, password: password)
        case 1:
            var reader = try BERSequenceReader(node, tag: .application(1), "BindResponse")
            let result = try LDAPResult(components: &reader)
            // serverSaslCreds [7] belongs to SASL binds; read past it.
            _ = try reader.optional(.context(7))?.primitive(.context(7), "serverSaslCreds")
            try reader.finish()
            self = .bindResponse(result)
        case 2:
            guard try node.primitive(.application(2), "UnbindRequest").isEmpty else { throw .malformed("UnbindRequest not NULL") }
            self = .unbindRequest
        case 3:
            self = .searchRequest(try LDAPSearchRequest(decoding: node))
        case 4:
            self = .searchResultEntry(try LDAPEntry(decoding: node))
        case 5, 15:
            var reader = try BERSequenceReader(node, tag: .application(tag), tag == 5 ? "SearchResultDone" : "CompareResponse")
            let result = try LDAPResult(components: &reader)
            try reader.finish()
            self = tag == 5 ? .searchResultDone(result) : .compareResponse(result)
        case 14:
            var reader = try BERSequenceReader(node, tag: .application(14), "CompareRequest")
            let dn = try reader.next().string("entry")
            var ava = try BERSequenceReader(try reader.next(), tag: .sequence, "ava")
            try reader.finish()
            let attribute = try ava.next().string("attributeDesc")
            let value = try ava.next().octets("assertionValue")
            try ava.finish()
            self = .compareRequest(dn: dn, attribute: attribute, value: value)
        case 16:
            self = .abandonRequest(try node.int32(.application(16), "AbandonRequest"))
        case 19:
            var reader = try BERSequenceReader(node, tag: .application(19), "SearchResultReference")
            var uris: [String] = []
            for uri in reader.rest() { uris.append(try uri.string("URI")) }
            self = .searchResultReference(uris)
        case 23:
            var reader = try BERSequenceReader(node, tag: .application(23), "ExtendedRequest")
            let name = try reader.next().string(.context(0), "requestName")
            let value = try reader.optional(.context(1))?.octets(.context(1), "requestValue")
            try reader.finish()
            self = .extendedRequest(name: name, value: value)
        case 24:
            var reader = try BERSequenceReader(node, tag: .application(24), "ExtendedResponse")
            let result = try LDAPResult(components: &reader)
            let name = try reader.optional(.context(10))?.string(.context(10), "responseName")
            let value = try reader.optional(.context(11))?.octets(.context(11), "responseValue")
            try reader.finish()
            self = .extendedResponse(result, name: name, value: value)
        case 25:
            var reader = try BERSequenceReader(node, tag: .application(25), "IntermediateResponse")
            let name = try reader.optional(.context(0))?.string(.context(0), "responseName")
            let value = try reader.optional(.context(1))?.octets(.context(1), "responseValue")
            try reader.finish()
            self = .intermediateResponse(name: name, value: value)
        default:
            throw .unsupportedOperation(tag: tag)
        }
    }
}
