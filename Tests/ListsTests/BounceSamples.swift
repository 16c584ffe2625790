/// Hand-written bounce messages, one per format `BounceParser` knows, in the shape those MTAs send them.
/// Line ends are LF here; `crlf` gives the CRLF form mail has on the wire.
enum BounceSamples {
    static func crlf(_ text: String) -> [UInt8] { Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8) }

    /// RFC 3464 §2: one failed, one delayed and one delivered recipient; the first has an Original-Recipient.
    static let dsn = """
        From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
        To: <dept-bounces@lists.example.org>
        Subject: Undelivered Mail Returned to Sender
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

        --b1
        Content-Type: text/plain

        Your message could not be delivered to some recipients: <ann@example.com> and others.

        --b1
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mx.example.net
        Arrival-Date: Mon, 3 Mar 2025 10:00:00 +0000

        Final-Recipient: rfc822; ann.smith@mail.example.com
        Original-Recipient: rfc822;ann@example.com
        Action: failed
        Status: 5.1.1 (mailbox unknown)
        Diagnostic-Code: smtp; 550 5.1.1 <ann.smith@mail.example.com>: user unknown

        Final-Recipient: RFC822; <bob@example.net>
        Action: delayed
        Status: 4.4.1
        Will-Retry-Until: Wed, 5 Mar 2025 10:00:00 +0000

        Final-Recipient: rfc822; carol@example.net
        Action: delivered
        Status: 2.0.0

        --b1
        Content-Type: message/rfc822

        From: dept@lists.example.org
        To: dept@lists.example.org
        Subject: hello

        Reply to eve@example.org please.
        --b1--

        """

    static let qmail = """
        From: MAILER-DAEMON@mx.example.de
        To: dept-bounces@lists.example.org
        Subject: failure notice

        Hi. This is the qmail-send program at mx.example.de.
        I'm afraid I wasn't able to deliver your message to the following addresses.
        This is a permanent error; I've given up. Sorry it didn't work out.

        <hans@example.de>:
        Sorry, no mailbox here by that name. (#5.1.1)

        <grete@example.de>:
        192.0.2.7 does not like recipient.
        Remote host said: 550 unknown user <grete@example.de>

        --- Below this line is a copy of the message.

        Return-Path: <dept-bounces@lists.example.org>
        From: someone@example.org
        To: dept@lists.example.org

        Write to other@example.org.

        """

    static let postfix = """
        From: MAILER-DAEMON@relay.example.com (Mail Delivery System)
        To: dept-bounces@lists.example.org
        Subject: Undelivered Mail Returned to Sender
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="pf"

        --pf
        Content-Description: Notification
        Content-Type: text/plain

        This is the Postfix program at host relay.example.com.

        I'm sorry to have to inform you that the message returned
        below could not be delivered to one or more destinations.

        For further assistance, please contact <postmaster@relay.example.com>

        <dana@example.ie>: host mx.example.ie[192.0.2.9] said: 550 5.1.1
            <dana@example.ie>... User unknown

        --pf
        Content-Description: Undelivered Message
        Content-Type: message/rfc822

        From: dept@lists.example.org
        To: whoever@example.org

        body
        --pf--

        """

    static let exim = """
        From: Mail Delivery System <Mailer-Daemon@mail.example.nl>
        To: dept-bounces@lists.example.org
        Subject: Mail delivery failed: returning message to sender

        This message was created automatically by mail delivery software.

        A message that you sent could not be delivered to one or more of its
        recipients. This is a permanent error. The following address(es) failed:

          jan@example.nl
            SMTP error from remote mail server after RCPT TO:<jan@example.nl>:
            550 5.1.1 unknown user

        ------ This is a copy of the message, including all the headers. ------

        From: someone@example.org

        """

    static let eximWarning = """
        From: Mail Delivery System <Mailer-Daemon@mail.example.nl>
        To: dept-bounces@lists.example.org
        Subject: Warning: message 1abc-0001 delayed 24 hours

        This message was created automatically by mail delivery software.
        A message that you sent has not yet been delivered to one or more of its
        recipients after more than 24 hours on the queue on mail.example.nl.

        The message identifier is:     1abc-0001

        The address to which the message has not yet been delivered is:

          piet@example.nl
            host mx.example.nl [192.0.2.3]: Connection timed out

        No action is required on your part. Delivery attempts will continue.

        """

    static let sendmail = """
        From: Mail Delivery Subsystem <MAILER-DAEMON@smtp.example.com>
        To: <dept-bounces@lists.example.org>
        Subject: Returned mail: User unknown

        The original message was received at Tue, 4 Mar 2025 08:00:00 GMT
        from lists.example.org [192.0.2.1]

           ----- The following addresses had permanent fatal errors -----
        <kim@example.com>
        <lee@example.com>

           ----- Transcript of session follows -----
        ... while talking to mx.example.com.:
        >>> RCPT To:<kim@example.com>
        <<< 550 5.1.1 <kim@example.com>... User unknown

        """

    static let sendmailWarning = """
        From: Mail Delivery Subsystem <MAILER-DAEMON@smtp.example.com>
        To: <dept-bounces@lists.example.org>
        Subject: Warning: could not send message for past 4 hours

            **********************************************
            **      THIS IS A WARNING MESSAGE ONLY      **
            **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **
            **********************************************

        The original message was received at Tue, 4 Mar 2025 08:00:00 GMT

           ----- The following addresses had transient non-fatal errors -----
        <max@example.org.za>

           ----- Transcript of session follows -----
        <max@example.org.za>... Deferred: Connection timed out
        Warning: message still undelivered after 4 hours
        Will keep trying until message is 5 days old

        """

    static let exchange = """
        From: System Administrator <postmaster@corp.example.com>
        To: dept-bounces@lists.example.org
        Subject: Undeliverable: Meeting notes
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="ex"

        --ex
        Content-Type: text/plain; charset="iso-8859-1"

        Your message

          To:      dept@lists.example.org
          Subject: Meeting notes
          Sent:    Tue, 4 Mar 2025 09:00:00 +0100

        did not reach the following recipient(s):

        pat@corp.example.com on Tue, 4 Mar 2025 09:01:00 +0100
            The recipient name is not recognized
            MSEXCH:IMS:Example:CORP:MAIL1 0 (000C05A6) Unknown Recipient

        --ex
        Content-Type: message/rfc822

        From: dept@lists.example.org
        To: dept@lists.example.org

        hi
        --ex--

        """

    static let yahoo = """
        From: MAILER-DAEMON@yahoo.com
        To: dept-bounces@lists.example.org
        Subject: failure delivery

        Message from  yahoo.com.
        Unable to deliver message to the following address(es).

        <sam@example.es>:
        Sorry your message to sam@example.es cannot be delivered. This account does not exist.

        <tom@example.co.uk>:
        Sorry, I wasn't able to establish an SMTP connection. (#4.4.1)
        I'm not going to try again; this message has been in the queue too long.

        --- Original message follows.

        From: dept@lists.example.org

        """

    static let aol = """
        From: "Mail Delivery Subsystem" <MAILER-DAEMON@aol.com>
        To: <dept-bounces@lists.example.org>
        Subject: Mail Delivery Problem

        Your mail to the following recipients could not be delivered because they are not accepting mail from dept@lists.example.org:
            user123@aol.com

        """

    static let lotus = """
        From: Postmaster@notes.example.com
        To: dept-bounces@lists.example.org
        Subject: DELIVERY FAILURE: User jo not listed in Domino Directory

        Your message

          Subject: Minutes

        was not delivered to:

          jo@notes.example.com

        because:

          User jo (jo@notes.example.com) not listed in Domino Directory

        """

    static let simple = """
        From: postmaster@example.it
        To: dept-bounces@lists.example.org
        Subject: Messaggio non recapitato

        Sorry. Your message could not be delivered to:

        Luca Rossi <luca@example.it>
            Mailbox unknown.

        Please contact postmaster@example.it for help.

        """

    static let notABounce = """
        From: alice@example.org
        To: dept@lists.example.org
        Subject: lunch?

        Shall we meet at noon? Write to bob@example.com if you cannot come.

        """
}
