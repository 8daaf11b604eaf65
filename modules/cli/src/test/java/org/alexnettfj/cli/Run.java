package org.alexnettfj.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One CLI invocation in-process, as a user would see it: exit code, stdout, stderr. */
record Run(int code, String out, String err) {

  static Run of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AlexNetCli.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }
}
