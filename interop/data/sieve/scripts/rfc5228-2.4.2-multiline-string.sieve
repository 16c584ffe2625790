require "fileinto";
if header :contains "subject" text:
make money
.
{ fileinto text: # comment
Multi
.
; }
