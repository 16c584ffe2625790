require ["fileinto","mailbox"];
if mailboxexists "INBOX" { fileinto "inbox-exists"; }
