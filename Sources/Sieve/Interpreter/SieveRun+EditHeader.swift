/// RFC 5293 editheader: changes recorded for the caller and applied to the header tests see.
extension SieveRun {
    // RFC 5293 §4: addheader [:last] <field-name> <value>.
    func addHeader(_ call: SieveCall) throws(SieveRuntimeError) {
        let name = try expand(call.string(0))
        let value = try expand(call.string(1))
        guard SieveASCII.isFieldName(name) else {
            throw SieveRuntimeError(message: "invalid header field name '\(name)'", position: call.position)
        }
        // RFC 5293 §9: protected fields are left alone.
        guard !SieveHeaderEdit.unaddableFields.contains(name.lowercased()) else { return }
        let clean = SieveHeaderEdit.singleLine(value)
        let field = SieveMessage.Field(name: name, raw: clean, decoded: clean)
        let last = call.has("last")
        if last { fields.append(field) } else { fields.insert(field, at: 0) }
        headerEdits.append(.add(name: name, value: clean, last: last))
    }

    // RFC 5293 §5: deleteheader [:index n [:last]] [COMPARATOR] [MATCH-TYPE] <field-name> [<value-patterns>].
    func deleteHeader(_ call: SieveCall) throws(SieveRuntimeError) {
        let name = try expand(call.string(0))
        guard SieveASCII.isFieldName(name) else {
            throw SieveRuntimeError(message: "invalid header field name '\(name)'", position: call.position)
        }
        guard !SieveHeaderEdit.undeletableFields.contains(name.lowercased()) else { return }
        let patterns = try call.argument(1).map { (list) throws(SieveRuntimeError) in try expand(list.strings) }
        let positions = fields.indices.filter { fields[$0].hasName(name) }
        var chosen = Array(positions.enumerated())
        if let index = call.match.index {
            guard index <= positions.count else { return }
            let picked = call.match.last ? positions.count - index : index - 1
            chosen = [chosen[picked]]
        }
        var occurrences: [Int] = []
        for (occurrence, position) in chosen {
            if let patterns, !(try matches([fields[position].decoded], patterns, call.match)) { continue }
            occurrences.append(occurrence + 1)
        }
        guard !occurrences.isEmpty else { return }
        let remove = Set(occurrences.map { positions[$0 - 1] })
        fields = fields.indices.filter { !remove.contains($0) }.map { fields[$0] }
        headerEdits.append(.delete(name: name, occurrences: occurrences))
    }
}
