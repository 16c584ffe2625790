import Core
import PostaTestSupport
import Testing

@Suite struct ConfigLocatorTests {
    @Test func tablesArraysAndDottedKeys() {
        let text = """
            # comment = 1
            hostname = "mx1"   # trailing = comment
            a.b.c = 1

            [database]
            url = "sqlite:x.db"

            [[listener]]
            protocol = "smtp"
            [[listener]]
              protocol = "imap"
            [listener.extra]
            x = 1
            [[listener.rule]]
            y = 2
            [[listener.rule]]
            y = 3
            [[listener]]
            protocol = "pop3"
            [[listener.rule]]
            z = 4
            """
        let locator = KeyLocator(text: text)
        #expect(locator.line(of: "comment") == nil)
        #expect(locator.line(of: "hostname") == 2)
        #expect(locator.line(of: "a") == 3)
        #expect(locator.line(of: "a.b") == 3)
        #expect(locator.line(of: "a.b.c") == 3)
        #expect(locator.line(of: "database") == 5)
        #expect(locator.line(of: "database.url") == 6)
        #expect(locator.line(of: "listener") == 8)
        #expect(locator.line(of: "listener[0]") == 8)
        #expect(locator.line(of: "listener[0].protocol") == 9)
        #expect(locator.line(of: "listener[1]") == 10)
        #expect(locator.line(of: "listener[1].protocol") == 11)
        #expect(locator.line(of: "listener[1].extra") == 12)
        #expect(locator.line(of: "listener[1].extra.x") == 13)
        #expect(locator.line(of: "listener[1].rule[0].y") == 15)
        #expect(locator.line(of: "listener[1].rule[1]") == 16)
        #expect(locator.line(of: "listener[1].rule[1].y") == 17)
        #expect(locator.line(of: "listener[2].protocol") == 19)
        #expect(locator.line(of: "listener[2].rule[0].z") == 21)
        #expect(locator.line(of: "listener[3]") == nil)
    }

    @Test func quotedKeys() {
        let text = """
            "quoted.key" = 1
            'literal key' = 2
            site."a b".'c.d' = 3
            "esc\\u0041\\"" = 4
            [ "x y" . z ]
            w = 5
            """
        let locator = KeyLocator(text: text)
        #expect(locator.line(of: "\"quoted.key\"") == 1)
        #expect(locator.line(of: "\"literal key\"") == 2)
        #expect(locator.line(of: "site.\"a b\".\"c.d\"") == 3)
        #expect(locator.line(of: "\"escA\\\"\"") == 4)
        #expect(locator.line(of: "\"x y\".z") == 5)
        #expect(locator.line(of: "\"x y\".z.w") == 6)
    }

    @Test func multilineStringsAreSkipped() {
        let text = """
            a = \"\"\"
            b = 1
            [c]
            \\\"\"\" d = 2
            \"\"\"
            e = '''
            f = 1 '' g = 2
            '''''
            h = "with [brackets] and # hash and = sign"
            i = 'lit # not comment'
            j = \"\"\"one-line\"\"\" # k = 1
            l = \"\"\"\"quoted\"\"\"\"
            m = 1
            """
        let locator = KeyLocator(text: text)
        #expect(locator.line(of: "a") == 1)
        #expect(locator.line(of: "b") == nil)
        #expect(locator.line(of: "c") == nil)
        #expect(locator.line(of: "d") == nil)
        #expect(locator.line(of: "e") == 6)
        #expect(locator.line(of: "f") == nil)
        #expect(locator.line(of: "g") == nil)
        #expect(locator.line(of: "h") == 9)
        #expect(locator.line(of: "i") == 10)
        #expect(locator.line(of: "j") == 11)
        #expect(locator.line(of: "k") == nil)
        #expect(locator.line(of: "l") == 12)
        #expect(locator.line(of: "m") == 13)
        #expect(locator.lines.count == 7)
    }

    @Test func multilineArraysAndInlineTables() {
        let text = """
            ports = [
              25,   # smtp = 1
              "x = 1",
              [ 1,
                2 ],
            ]
            t = { a = 1, b.c = "}", d = [ { e = 1 } ] }
            when = 1979-05-27 07:32:00Z
            after = true
            listener = [
              { protocol = "smtp" },
              { protocol = "imap",
                address = "x" },
            ]
            """
        let locator = KeyLocator(text: text)
        #expect(locator.line(of: "ports") == 1)
        #expect(locator.line(of: "ports[0]") == 2)
        #expect(locator.line(of: "ports[1]") == 3)
        #expect(locator.line(of: "ports[2]") == 4)
        #expect(locator.line(of: "ports[2][1]") == 5)
        #expect(locator.line(of: "ports[3]") == nil)
        #expect(locator.line(of: "smtp") == nil)
        #expect(locator.line(of: "x") == nil)
        #expect(locator.line(of: "t.a") == 7)
        #expect(locator.line(of: "t.b.c") == 7)
        #expect(locator.line(of: "t.d[0].e") == 7)
        #expect(locator.line(of: "when") == 8)
        #expect(locator.line(of: "after") == 9)
        #expect(locator.line(of: "listener[0].protocol") == 11)
        #expect(locator.line(of: "listener[1].protocol") == 12)
        #expect(locator.line(of: "listener[1].address") == 13)
    }

    @Test func crlfAndBOM() {
        let text = "\u{FEFF}a = 1\r\n\r\n[t]\r\nb = \"\"\"\r\nc = 1\r\n\"\"\"\r\nd = 2\r\n"
        let locator = KeyLocator(text: text)
        #expect(locator.line(of: "a") == 1)
        #expect(locator.line(of: "t") == 3)
        #expect(locator.line(of: "t.b") == 4)
        #expect(locator.line(of: "t.c") == nil)
        #expect(locator.line(of: "t.d") == 7)
    }

    @Test func malformedInputDoesNotHang() {
        for text in ["[", "[[", "a = [", "a = {", "a = \"\"\"", "= 1", "a.", "\"", "a = [1,,]", "]]]", "a = 1 2 3\nb = 2"] {
            _ = KeyLocator(text: text)
        }
        #expect(KeyLocator(text: "a = 1 2 3\nb = 2").line(of: "b") == 2)
    }
}
