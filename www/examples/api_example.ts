// A page script in TypeScript against webphone_api.d.ts: register, call,
// keep the call history and contacts. Checked by `tsc --strict` in
// scripts/test.sh (with ../webphone_api.d.ts); compile it with
//   tsc --strict --lib es2020,dom --outDir build webphone_api.d.ts examples/api_example.ts
// and load the output after webphone_api.js.

/** One call of listcallhistory(). */
interface HistoryEntry {
  type: "outgoing" | "incoming" | "missed";
  name: string;
  number: string;
  date: Date;
  durationMs: number;
  reason: string;
}

/** Parses listcallhistory()'s answer (null when the history is empty). */
function callHistory(): HistoryEntry[] {
  const text = webphone_api.listcallhistory();
  if (text === null) return [];
  const types = ["outgoing", "incoming", "missed"] as const;
  return text.split("\r\n").map((record) => {
    const [type, name, number, date, duration, reason] = record.split("\t");
    return {
      type: types[Number(type)] ?? "outgoing",
      name,
      number,
      date: new Date(Number(date)),
      durationMs: Number(duration),
      reason,
    };
  });
}

/** The contact's name for a number, or the number itself. */
function displayName(number: string): string {
  const record = webphone_api.getcontact("", number);
  return record === null ? number : record.split("\t")[0];
}

webphone_api.parameters.serveraddress = "sip.example.com";
webphone_api.parameters.webrtcserveraddress = "wss://sip.example.com/ws";
webphone_api.parameters.username = "1001";

webphone_api.onAppStateChange((state: string) => {
  if (state === "loaded") {
    webphone_api.setparameter("password", "secret");
    webphone_api.start();
  }
});

webphone_api.onRegStateChange((state, reason) => {
  console.log("registration:", state, reason ?? "");
  if (state === "registered" && webphone_api.listcontacts(false) === null) {
    webphone_api.addcontact("Echo test", "600", "", "", "", "", "sip", "1");
  }
});

webphone_api.onCallStateChange((event, direction, peername, peerdisplayname, line, callid) => {
  const who = peerdisplayname || displayName(peername);
  console.log(`line ${line}: ${event} ${direction === 1 ? "to" : "from"} ${who} (${callid})`);
  if (event === "ringing" && direction === 2) {
    webphone_api.accept();
  }
});

webphone_api.onCdr((caller, called, connecttime, duration, direction, peerdisplayname, reason) => {
  const last = callHistory()[0];
  console.log(`call ${caller} -> ${called} ended: ${reason}, ${Math.floor((duration + 500) / 1000)} s`, last);
});

webphone_api.onEvent((type, message) => {
  if (type === "event" && message.startsWith("STATUS,")) console.log(message);
});

// Answers arrive both as return values and through callback arguments.
webphone_api.getdevicelist(0, (list: string) => console.log("microphones:", list));
const registered: boolean = webphone_api.isregistered();
const line: number = webphone_api.getline();
console.log(registered, line, webphone_api.getStatus());

// The declarations are strict: these are mistakes tsc must report.
// @ts-expect-error call takes the number as a string
webphone_api.call(1002);
// @ts-expect-error listcontacts may answer null
const contacts: string = webphone_api.listcontacts(true);
// @ts-expect-error no such function
webphone_api.callnumber("1002");
// @ts-expect-error onCdr's duration is a number
webphone_api.onCdr((caller: string, called: string, connecttime: number, duration: string) => duration);
console.log(contacts);
