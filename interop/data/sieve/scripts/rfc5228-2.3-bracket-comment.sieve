/* a comment
 * spanning lines */ keep; # trailing
