require "fileinto";
if header :contains ["from"] "sender" { fileinto "INBOX.harassment"; }
