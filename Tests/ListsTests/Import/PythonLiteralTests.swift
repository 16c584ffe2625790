import Testing

@testable import Lists

@Suite("Python literals of Mailman 2.1's config_list -o")
struct PythonLiteralTests {
    func parse(_ text: String) throws -> [String: PythonValue] {
        Dictionary(
            try PythonAssignments.parse(Array(text.utf8)).assignments.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
    }

    @Test("every literal kind, comments, continuation lines inside brackets")
    func kinds() throws {
        let values = try parse(
            """
            # -*- python -*-
            # -*- coding: us-ascii -*-
            ## "dept" mailing list configuration settings

            real_name = 'Dept'   # trailing comment
            max_message_size = 40
            negative = -3
            big = 7L
            hexed = 0x1F
            score = 5.0
            flag = True
            off = False
            nothing = None
            owner = ['head@example.org', "deputy@example.org",]
            pairs = [('^subject: .*spam', 3, False),
                     ("^x-junk:", 2, True)]
            names = {'en': u'English', 'de': 'Deutsch'}
            single = ('only',)
            empty = []
            """)
        #expect(values["real_name"] == .string("Dept"))
        #expect(values["max_message_size"] == .int(40))
        #expect(values["negative"] == .int(-3))
        #expect(values["big"] == .int(7))
        #expect(values["hexed"] == .int(31))
        #expect(values["score"] == .float(5.0))
        #expect(values["flag"] == .bool(true) && values["off"] == .bool(false) && values["nothing"] == PythonValue.none)
        #expect(values["owner"]?.stringList == ["head@example.org", "deputy@example.org"])
        #expect(
            values["pairs"]
                == .list([
                    .tuple([.string("^subject: .*spam"), .int(3), .bool(false)]),
                    .tuple([.string("^x-junk:"), .int(2), .bool(true)]),
                ]))
        #expect(
            values["names"]
                == .dict([
                    PythonDictEntry(key: .string("en"), value: .string("English")),
                    PythonDictEntry(key: .string("de"), value: .string("Deutsch")),
                ]))
        #expect(values["single"] == .tuple([.string("only")]))
        #expect(values["empty"] == .list([]))
    }

    @Test("strings: triple quotes, escapes, raw and unicode prefixes, adjacent literals")
    func strings() throws {
        let values = try parse(
            #"""
            msg_footer = """_______________________________________________
            %(real_name)s mailing list
            says \"""hi\""" and 'quotes'
            """
            single = '''one ''two'' three'''
            escapes = 'tab\there\nline \'q\' back\\slash \x41\101'
            raw = r'^\d+\s'
            uni = u'caf\xe9 \u20ac'
            joined = 'a' "b" 'c'
            """#)
        #expect(
            values["msg_footer"]
                == .string(
                    "_______________________________________________\n%(real_name)s mailing list\nsays \"\"\"hi\"\"\" and 'quotes'\n"
                ))
        #expect(values["single"] == .string("one ''two'' three"))
        #expect(values["escapes"] == .string("tab\there\nline 'q' back\\slash AA"))
        #expect(values["raw"] == .string(#"^\d+\s"#))
        #expect(values["uni"] == .string("café €"))
        #expect(values["joined"] == .string("abc"))
    }

    @Test("byte strings of a Python 2 dump are read in the file's coding")
    func charsets() throws {
        let latin = try parse("# -*- coding: iso-8859-1 -*-\nreal_name = 'Caf\\xe9'\ndescription = 'Gr\u{FC}n'\n")
        #expect(latin["real_name"] == .string("Café"))
        // Raw UTF-8 octets stay UTF-8.
        #expect(latin["description"] == .string("Grün"))
        var bytes = Array("# -*- coding: iso-8859-1 -*-\nx = '".utf8)
        bytes += [0xE9]
        bytes += Array("'\n".utf8)
        #expect(try PythonAssignments.parse(bytes).assignments.first?.value == .string("é"))
    }

    @Test(
        "hostile input fails with a clear error and its line",
        arguments: [
            ("x = 'unterminated\n", "line 1: unterminated string"),
            ("a = 1\nx = '''never closed\n\n", "line 2: unterminated string"),
            ("x = [1, 2\n", "unterminated"),
            ("x = {'a' 1}", "expected ':'"),
            ("x = __import__('os').system('rm -rf /')", "not a literal"),
            ("x = 1 + 2", "unexpected text after the value of x"),
            ("= 3", "expected a setting name"),
            ("x 3", "expected '=' after x"),
            ("x = 99999999999999999999999999", "not a number"),
            ("x = '\\xZZ'", "bad \\x"),
            // A sign is no hex digit: '\x-1' once reached UInt8(-1) and trapped.
            ("x = '\\x-1'", "bad \\x"),
            ("x = u'\\u+041'", "bad \\x"),
            ("x = ", "a value is missing"),
        ])
    func hostile(text: String, message: String) throws {
        let error = #expect(throws: MailmanImportError.self) { try PythonAssignments.parse(Array(text.utf8)) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    }

    @Test("nesting 1000 deep, huge input, huge strings and too many values are refused")
    func bounds() throws {
        let deep = "x = " + String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        let depth = #expect(throws: MailmanImportError.self) { try PythonAssignments.parse(Array(deep.utf8)) }
        #expect(depth?.description.contains("nested deeper than 32") == true)
        let huge = [UInt8](repeating: UInt8(ascii: "#"), count: (4 << 20) + 1)
        let size = #expect(throws: MailmanImportError.self) { try PythonAssignments.parse(huge) }
        #expect(size?.description.contains("larger than") == true)
        var limits = PythonAssignments.Limits()
        limits.maxStringLength = 1000
        let long = Array(("x = '" + String(repeating: "a", count: 2000) + "'").utf8)
        #expect(throws: MailmanImportError.self) { try PythonAssignments.parse(long, limits: limits) }
        limits = PythonAssignments.Limits()
        limits.maxElements = 100
        let many = Array(("x = [" + String(repeating: "1,", count: 200) + "]").utf8)
        let count = #expect(throws: MailmanImportError.self) { try PythonAssignments.parse(many, limits: limits) }
        #expect(count?.description.contains("more than 100 values") == true)
        // Binary garbage is an error, not a crash.
        let garbage = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }
        #expect(throws: MailmanImportError.self) { try PythonAssignments.parse(garbage) }
    }
}
