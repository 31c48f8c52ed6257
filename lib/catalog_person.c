/*
 * Person-facing text of the catalog: what a wizard shows a person who has
 * never heard of tiers, guards or protocols, indexed by the same ids as the
 * rest of the catalog. Hosts keep the ids and the technical text of
 * catalog.c for logs, reports and support; this is what goes on the screen.
 *
 * Rules for every string here: no string id, no internal word (tier, guard,
 * waive, ladder, protocol, ecosystem, session), no percentage as a verdict,
 * one thing to do at a time, and a way out for a person who cannot do it.
 * tests/suite_catalog.c holds every entry to those rules.
 */
#include <stddef.h>
#include <string.h>

#include "internal.h"

/* A library built with LKR_NO_TEXT carries none of this text (hosts that
 * localise by id): lkr_person_text_get() then says LKR_E_UNSUPPORTED. */
#ifndef LKR_NO_TEXT

typedef struct person_step {
    const char *title, *text, *resume, *cannot, *watch, *remains;
} person_step;

typedef struct person_pair {
    const char *title, *text, *extra;
} person_pair;

#define S(id_) [LKR_STEP_##id_]

static const char BATTERIES_BACK[] = "Put the batteries back in now, the right way round.";
static const char HUB_BACK[] = "Plug it back in now. Leave it a couple of minutes to start up.";
static const char NO_ROUTER_ACCESS[] =
    "Ask whoever set up your internet (your internet provider's helpline, or the person who "
    "installed the router) to do it for you: read them this step.";

static const person_step steps[LKR__STEP_COUNT + 1] = {
    S(TRIAGE_FORCE_CLOSE_REOPEN) = {"Leave the batteries in, and close and reopen the app",
        "The update looks stuck. Do not take the batteries out: that could break the lock's "
        "software. Close the lock's app completely (iPhone: swipe it away; Android: close it "
        "from the recent apps list), then open it again.",
        NULL, NULL, NULL, NULL},
    S(TRIAGE_CHECK_FIRMWARE) = {"Look up the lock's software version in the app",
        "In the lock's app, open the lock's settings and find its software version (often "
        "called firmware). Write it down.",
        NULL, NULL, NULL, NULL},
    S(UNIVERSAL_FRESH_ALKALINE) = {"Put in new alkaline batteries",
        "Replace all the batteries with new alkaline ones (the ordinary kind, not "
        "rechargeable).",
        NULL, "If you have no new batteries now, buy alkaline ones and come back: your "
              "progress is saved.",
        "Batteries: replace them when the app warns they are low, with alkaline ones.", NULL},
    S(UNIVERSAL_BATTERY_PULL) = {"Take the batteries out for 30 seconds",
        "Take all the batteries out of the lock now. Leave them out: the time is counted for "
        "you. This restarts the lock; your codes stay in it.",
        BATTERIES_BACK,
        "If the battery cover will not open, the lock's manual shows how (often a small "
        "screw or a latch on the inside part of the lock).",
        NULL, NULL},
    S(UNIVERSAL_CHECK_FIRMWARE) = {"Look up the lock's software version in the app",
        "In the lock's app, open the lock's settings and find its software version (often "
        "called firmware). Write it down.",
        NULL, NULL, NULL, NULL},
    S(UNIVERSAL_TOGGLE_PHONE_BLUETOOTH) = {"Turn your phone's Bluetooth off",
        "Open your phone's Settings, then Bluetooth, and turn it off now (on an iPhone use "
        "Settings, not the quick control panel). The time is counted for you.",
        "Turn Bluetooth back on now, in the same place.", NULL, NULL, NULL},
    S(UNIVERSAL_RESTART_PHONE) = {"Restart your phone",
        "Turn your phone off and on again, then open the lock's app.",
        NULL, NULL, NULL, NULL},
    S(UNIVERSAL_UPDATE_SOFTWARE) = {"Update the lock's app",
        "Install the newest version of the lock's app from the app store. If the app then "
        "offers a software update for the lock, install it only with new batteries and the "
        "phone next to the lock.",
        NULL, NULL, "Keep the lock's app up to date.", NULL},
    S(UNIVERSAL_RECALIBRATE) = {"Let the lock re-learn its locked and unlocked positions",
        "In the lock's app settings (or its manual), run the calibration so the lock learns "
        "again where locked and unlocked are.",
        NULL, NULL, NULL, NULL},
    S(WIFI_CHECK_BAND_SECURITY) = {"Make your Wi-Fi one the lock can join",
        "Most locks can only join the 2.4 GHz part of your Wi-Fi, and only with WPA2 "
        "security. New routers often come set to WPA3 only, which locks cannot use. In the "
        "router's app or settings page, turn on the 2.4 GHz network and choose \"WPA2\" or "
        "\"WPA2/WPA3\" (sometimes called compatibility mode) for its security.",
        NULL, NO_ROUTER_ACCESS,
        "If the router is replaced or reset again, its Wi-Fi security must stay WPA2 (or "
        "WPA2/WPA3) on 2.4 GHz.", NULL},
    S(WIFI_POWER_CYCLE_BRIDGE) = {"Unplug the lock's Wi-Fi bridge",
        "Unplug the small Wi-Fi bridge that belongs to the lock (for example August Connect) "
        "from the wall now. The time is counted for you.",
        HUB_BACK, NULL, NULL, NULL},
    S(WIFI_POWER_CYCLE_ROUTER) = {"Unplug your internet router",
        "Unplug your internet router (and the modem, if it is a separate box) from the wall "
        "now. The time is counted for you.",
        "Plug the router back in now. Your internet takes a couple of minutes to come back.",
        NO_ROUTER_ACCESS, NULL, NULL},
    S(WIFI_DHCP_RESERVATION) = {"Give the lock a fixed address in your router",
        "In the router's settings, find the list of connected devices, pick the lock and "
        "choose \"always use this address\" (sometimes called address reservation).",
        NULL, NO_ROUTER_ACCESS, NULL, NULL},
    S(WIFI_RERUN_SETUP) = {"Connect the lock to your Wi-Fi again",
        "In the lock's app, open the lock's Wi-Fi settings and run the Wi-Fi setup again, "
        "with your Wi-Fi's current name and password. The lock stays in your account.",
        NULL, "Ask the person who set up your Wi-Fi for its name and password, then try again.",
        "If you change your Wi-Fi name or password, run this setup again.", NULL},
    S(WIFI_IMPROVE_RANGE) = {"Get a stronger Wi-Fi signal to the door",
        "Move the router closer to the door, or add a Wi-Fi extender near it, and keep big "
        "metal things away from the path.",
        NULL, "Ask whoever looks after your internet to add an extender near the door.",
        "If the lock drops off again, the signal at the door is the first thing to check.", NULL},
    S(BLE_FORCE_CLOSE_APP) = {"Close the lock's app completely and open it again",
        "iPhone: swipe the app away in the app switcher. Android: close it from the recent "
        "apps list. Then open it again and look at the lock.",
        NULL, NULL, NULL, NULL},
    S(BLE_CLEAR_CACHE_REINSTALL) = {"Reinstall the lock's app",
        "Delete the lock's app and install it again from the app store, then sign in (on "
        "Android you can instead clear its cache: Settings, Apps, the lock's app, Storage). "
        "Your account and your lock's settings are kept.",
        NULL, NULL, NULL, NULL},
    S(BLE_REBOND) = {"Forget the lock in the app's Bluetooth settings and connect again",
        "In the lock's app, open the lock's Bluetooth settings, choose forget (or unpair), then "
        "connect again. The lock stays in your account.",
        NULL, NULL, NULL, NULL},
    S(BLE_SECOND_PHONE) = {"Try another phone",
        "Install the lock's app on another phone or tablet, sign in with your account and "
        "connect to the lock.",
        NULL, "Borrow a family member's phone for a minute, or try a tablet.",
        NULL,
        "Your own phone still cannot reach the lock: the fault is in that phone's Bluetooth, "
        "not in the lock. To fix your phone: reinstall the lock's app, then reset the phone's "
        "network settings, then install the phone's latest system update. Until then, use the "
        "other phone or the keypad."},
    S(BLE_MOVE_CLOSER) = {"Stand close to the lock",
        "Stand within a few steps of the lock (about 3 metres or 10 feet) with nothing thick "
        "or metal in between, and try again.",
        NULL, NULL, NULL, NULL},
    S(BLE_GRANT_PERMISSIONS) = {"Let the lock's app use Bluetooth and location",
        "In your phone's Settings, open the lock's app and allow Bluetooth, location (\"while "
        "using the app\") and nearby devices.",
        NULL, NULL, "After a phone update, check these permissions again.", NULL},
    S(ZWAVE_CHECK_BATTERY) = {"Check the lock's battery level",
        "Look up the battery level in your hub's app. Under half, or not shown: put in new "
        "alkaline batteries now.",
        NULL, NULL, NULL, NULL},
    S(ZWAVE_RESTART_HUB) = {"Unplug your smart-home hub",
        "Unplug the hub or controller the lock is connected to from the wall now. The time is "
        "counted for you.",
        HUB_BACK, NULL, NULL, NULL},
    S(ZWAVE_EXCLUDE_REINCLUDE) = {"Remove the lock from your hub and add it back",
        "In the hub's app, start removing a device, then press the lock's connect button (the "
        "manual says which). When it is removed, choose add device and press it again. The "
        "hub may ask for a 5-digit PIN: it is on a sticker on the lock or its box, beside a "
        "square code. Removing the lock may erase its codes: keep your list of codes ready.",
        NULL, "Ask whoever set up your hub, or the hub maker's helpline.", NULL, NULL},
    S(ZIGBEE_CHECK_HUB) = {"Check that your smart-home hub is working",
        "Open the hub's app: is the hub shown online, and do your other devices respond? If "
        "the hub itself is off, turn it on first.",
        NULL, NULL, NULL, NULL},
    S(ZIGBEE_RESTART_HUB) = {"Unplug your smart-home hub",
        "Unplug the hub the lock is connected to from the wall now. The time is counted for "
        "you.",
        HUB_BACK, NULL, NULL, NULL},
    S(ZIGBEE_REPAIR_VIA_HUB) = {"Remove the lock from your hub and add it back",
        "In the hub's app remove the lock, then add it again as a new device, following the "
        "lock's manual to make it ready to connect. This keeps your codes.",
        NULL, "Ask whoever set up your hub, or the hub maker's helpline.", NULL, NULL},
    S(MATTER_POWER_OFF_5MIN) = {"Take the batteries out for 5 minutes",
        "Take all the batteries out of the lock now. Leave them out: the 5 minutes are counted "
        "for you.",
        "Put the batteries back in now. The lock then needs about 10 minutes to find your home "
        "network again; that time is counted too.",
        NULL, NULL, NULL},
    S(MATTER_RESTART_HOME_HUBS) = {"Unplug your home hubs",
        "Unplug every HomePod, Apple TV, Google Nest hub or SmartThings hub in the house now. "
        "The time is counted for you.",
        "Plug them all back in now.", NULL, NULL, NULL},
    S(MATTER_READD_QR) = {"Remove the lock from your home app and add it again",
        "Remove the lock from the Home app (or whichever app controls it), then add it again "
        "by scanning the setup code printed on the lock or its manual.",
        NULL, "The setup code is often inside the battery cover or on the manual's first page.",
        NULL, NULL},
    S(HOMEKIT_BLUETOOTH_ON) = {"Turn on your iPhone's Bluetooth",
        "Apple Home reaches the lock over Bluetooth: open Settings, Bluetooth, and turn it on.",
        NULL, NULL, "Keep Bluetooth on on the iPhone that runs Apple Home.", NULL},
    S(HOMEKIT_RESTART_HUBS) = {"Unplug your HomePods and Apple TV",
        "Unplug every HomePod and Apple TV in the house now. The time is counted for you.",
        "Plug them all back in now.", NULL, NULL, NULL},
    S(HOMEKIT_READD) = {"Remove the lock from Apple Home and add it back",
        "In the Home app open the lock, scroll down, choose Remove Accessory, then add it again "
        "from the lock maker's app. Your codes stay in the lock.",
        NULL, NULL, NULL, NULL},
    S(GOOGLE_RELINK) = {"Link the lock again in Google Home",
        "In the Google Home app open the lock's settings and choose to link (reconnect) it "
        "again.",
        NULL, NULL, NULL, NULL},
    S(GOOGLE_READD) = {"Remove the lock from Google Home and add it back",
        "Remove the lock in Google Home, then add it again through \"Works with Google\" and "
        "the lock maker's name.",
        NULL, NULL, NULL, NULL},
    S(ALEXA_TOGGLE_SKILL) = {"Turn the lock's Alexa skill off",
        "In the Alexa app: More, Skills & Games, Your Skills: turn off the lock maker's skill "
        "now. The time is counted for you.",
        "Turn the skill back on now, in the same place.", NULL, NULL, NULL},
    S(ALEXA_DISCOVER) = {"Ask Alexa to find the lock again",
        "In the Alexa app choose Devices, then add device and \"discover devices\".",
        NULL, NULL, NULL, NULL},
    S(SMARTTHINGS_REFRESH) = {"Refresh the lock in SmartThings",
        "In the SmartThings app open the lock and choose refresh.", NULL, NULL, NULL, NULL},
    S(SMARTTHINGS_READD) = {"Remove the lock from SmartThings and add it back",
        "Remove the lock in the SmartThings app, then add it again with \"add device\".",
        NULL, NULL, NULL, NULL},
    S(HOMEASSISTANT_RELOAD) = {"Reload the lock in Home Assistant",
        "In Home Assistant open the lock's device page and reload it (for a Z-Wave lock choose "
        "\"re-interview\"). Check whether it still says Unavailable.",
        NULL, "Ask whoever set up Home Assistant.", NULL, NULL},
    S(HOMEASSISTANT_READD) = {"Remove the lock from Home Assistant and add it back",
        "Remove the lock's device in Home Assistant and add it again.",
        NULL, "Ask whoever set up Home Assistant.", NULL, NULL},
    S(HUBITAT_REFRESH) = {"Refresh the lock in Hubitat",
        "On the lock's page in Hubitat press Refresh, then Configure.", NULL, NULL, NULL, NULL},
    S(HUBITAT_READD) = {"Remove the lock from Hubitat and add it back",
        "Remove the lock in Hubitat and add it again with device discovery.",
        NULL, NULL, NULL, NULL},
    S(REPAIR_BACKUP_CODES) = {"Write down every code and its slot number first",
        "The next step may erase the lock's codes. Before it, write down every code with its "
        "slot number (the number the app shows beside it) and whose it is, and keep the paper "
        "safe. Afterwards you try each code at the keypad and put back any that is gone.",
        NULL, "Ask each person who has a code to tell you theirs, and find its slot number in "
        "the app's list of users or codes.",
        NULL, NULL},
    S(REPAIR_REMOVE_AND_READD) = {"Remove the lock from your apps and add it back",
        "In the lock's app remove the lock from your account, and from any other app that "
        "shows it. Then add it back with the lock's app, standing next to the lock.",
        NULL, NULL, NULL, NULL},
    S(REPAIR_VERIFY_CODES) = {"Check that your codes are still there",
        "Take your written list and try each code at the keypad, one at a time. If one does "
        "not open the lock, put it back in the same slot (in the app, or as the lock's manual "
        "says), then try it again.",
        NULL, "Ask whoever set up the lock, or the lock maker's helpline, to help you put the "
        "missing codes back.", NULL, NULL},
    S(REPAIR_WAIT_FOR_RECONNECT) = {"Wait up to two days for the lock to come back",
        "Some updates leave a lock offline for a while and it comes back by itself. Leave the "
        "batteries in and check again within two days.",
        NULL, NULL, NULL, NULL},
    S(RESET_FACTORY_RESET) = {"Reset the lock to its factory settings",
        "With the door open and a key in your hand, press and hold the reset button until the "
        "lights confirm. This erases every code.",
        "Let go of the reset button now.", NULL, NULL, NULL},
    S(RESET_RESTORE_AFTER_RESET) = {"Set the lock up again and put your codes back",
        "Add the lock in its app again, set a new master code and enter every code from your "
        "copy, then try each one.",
        NULL, NULL, NULL, NULL},
    S(SUPPORT_CONTACT_MANUFACTURER) = {"Contact the lock maker's support",
        "Send the lock maker's support the report this tool prints: it lists everything you "
        "did. A lock that failed after an update is usually covered by the warranty.",
        NULL, NULL, NULL, NULL},
    S(SUPPORT_LOCKSMITH) = {"Call a locksmith",
        "Something in the lock or the door needs a repair by hand, which no app can do.",
        NULL, NULL, NULL, NULL},
    S(CODE_REENTER_CAREFULLY) = {"Type the code again, slowly",
        "Check the digits and whose code it is, then press each button firmly, one at a time.",
        NULL, NULL, NULL, NULL},
    S(CODE_CLEAN_KEYPAD) = {"Clean the keypad",
        "Wipe the keypad gently with a dry or slightly damp cloth; check no button sticks.",
        NULL, NULL, "If buttons stick again, the keypad may need a repair.", NULL},
    S(CODE_CHECK_BATTERIES) = {"Put in new alkaline batteries",
        "Weak batteries make a keypad misbehave before it goes dark: put in new alkaline "
        "ones.",
        NULL, "If you have no new batteries now, buy alkaline ones and come back.",
        "Batteries: replace them when the app warns they are low.", NULL},
    S(CODE_CHECK_LOCKOUT) = {"Check the lock is not in a lockout or holiday mode",
        "In the app, check whether the keypad is locked after wrong codes, or a holiday "
        "(vacation) mode is on. Turn holiday mode off, or wait a few minutes before trying.",
        NULL, NULL, NULL, NULL},
    S(CODE_CHECK_ALIGNMENT) = {"Check the door closes easily",
        "If the lock works with the door open but not closed, the bolt is rubbing on the door "
        "frame: the metal plate on the frame needs adjusting.",
        NULL, "A handyman or locksmith can adjust the plate in a few minutes.", NULL, NULL},
    S(CODE_POWER_CYCLE) = {"Take the batteries out for half a minute",
        "Take the batteries out of the lock now. The time is counted for you. Your codes stay "
        "in the lock.",
        BATTERIES_BACK, NULL, NULL, NULL},
    S(CODE_CHECK_CONNECTIVITY) = {"Make sure the lock is connected so codes can reach it",
        "New or changed codes only reach the lock while it is connected: stand near it with "
        "the app open, and check that your internet and hub work.",
        NULL, NULL, NULL, NULL},
    S(CODE_UPDATE_SOFTWARE) = {"Update the lock's app and software",
        "Install the app's newest version, then any software update it offers for the lock, "
        "with new batteries and the phone next to the lock.",
        NULL, NULL, NULL, NULL},
    S(CODE_RECALIBRATE) = {"Let the keypad re-learn",
        "Run the keypad (or fingerprint) calibration from the app's settings.",
        NULL, NULL, NULL, NULL},
    S(CODE_CHECK_PERMISSIONS) = {"Check the code has not expired",
        "In the app, open that code: check it is still there, has not expired and is allowed "
        "at this time of day.",
        NULL, NULL, NULL, NULL},
    S(CODE_READD_CODE) = {"Delete that one code and add it again",
        "In the app, delete only the code that fails, then add it again and try it.",
        NULL, NULL, NULL, NULL},
    S(CODE_COLD_WEATHER) = {"Help the lock in the cold",
        "Cold slows the lock and drains batteries: put in new lithium or alkaline batteries "
        "and keep the lock's inside part out of draughts.",
        NULL, NULL, "In cold weather, change the batteries sooner.", NULL},
};

static const person_pair guards[LKR__GUARD_COUNT + 1] = {
    [LKR_GUARD_ADMIN_CODE_RECORDED] = {"Do you have the lock's master (programming) code written down?",
        "It is in the lock's papers, on a sticker on the lock, or in the app's settings.",
        "Without the master code you could be shut out of the lock's settings."},
    [LKR_GUARD_CODES_BACKED_UP] = {"Is every code copied and checked?",
        "Every code must be copied and checked before anything that could erase them.",
        "Your codes are not copied or written down, so this step is left out: it would "
        "erase them."},
    [LKR_GUARD_PHYSICAL_KEY] = {"Do you have a working key for this lock with you?",
        "Find the lock's metal key and keep it with you, outside the door.",
        "Without a key you could be locked out if something goes wrong."},
    [LKR_GUARD_DOOR_OPEN] = {"Is the door open and unlocked?",
        "Open the door and leave it open while you work on the lock.",
        "With the door shut you could be locked out if something goes wrong."},
    [LKR_GUARD_EARLIER_TIERS_DONE] = {"Have the gentler steps all been tried?",
        "The gentler steps come first.",
        "The gentler steps have not all been tried yet."},
    [LKR_GUARD_PHONE_IN_RANGE] = {"Are you standing next to the lock with your phone?",
        "Stand within a few steps of the lock, with the phone awake, for the whole step.",
        "The phone must stay next to the lock for this step."},
    [LKR_GUARD_NO_ACTIVE_TRANSFER] = {"Has the update finished (it is not still running)?",
        "While an update may still be running, the batteries must stay in.",
        "An update may still be running: taking the power away now could break the lock."},
    [LKR_GUARD_REPAIR_CODES_SAFE] = {"Are your codes safe if the lock is removed and added back?",
        "Some locks lose their codes when removed from the app; the codes are copied first.",
        "This lock may lose its codes when removed, and they are not copied or written down, "
        "so the step is left out."},
    [LKR_GUARD_PREFLIGHT_OK] = {"Are you ready for a software update: new batteries, a key "
        "with you, and the phone next to the lock and kept awake?",
        "Before a software update: new alkaline batteries, a key with you, the phone next to "
        "the lock with its screen kept on.",
        "A software update without these can leave the lock dead."},
    [LKR_GUARD_CODES_NOTED] = {"Have you written down every code and its slot number?",
        "Write down every code the lock has with its slot number, as the app shows them. "
        "Nothing can read the codes back from this lock, so your list is the only copy: the "
        "next step may erase them (a factory reset erases every one), and afterwards you try "
        "each code on the keypad and put back any that is gone.",
        "Without your codes written down, a step that could erase them is left out."},
};

static const person_pair causes[LKR__CAUSE_COUNT + 1] = {
    [LKR_CAUSE_BLE_DROP_MID_TRANSFER] = {"the phone lost the lock during the update",
        "The phone's connection to the lock broke during the update.", NULL},
    [LKR_CAUSE_OTA_VOLTAGE_COLLAPSE] = {"the batteries gave out during the update",
        "An update needs a lot of power; weak or rechargeable batteries gave out half-way.",
        "Use new alkaline batteries (not rechargeable ones) before any future update."},
    [LKR_CAUSE_WIFI_STACK_CRASH] = {"the lock's Wi-Fi got stuck",
        "The lock's Wi-Fi part got stuck after the update.", NULL},
    [LKR_CAUSE_HUB_SESSION_MISMATCH] = {"the hub no longer recognises the lock",
        "After the update the hub still expects the lock as it was before.", NULL},
    [LKR_CAUSE_APP_STALE_STATE] = {"the app shows an old status",
        "The lock may work while the app still shows what it saw earlier.", NULL},
    [LKR_CAUSE_TRANSFER_STALL] = {"the update is stuck",
        "The update is still running but stuck.", NULL},
    [LKR_CAUSE_BATTERIES_DEPLETED] = {"the batteries are flat",
        "The batteries are too weak to run the lock.",
        "Replace the batteries when the app warns they are low."},
    [LKR_CAUSE_ZWAVE_DEEP_SLEEP] = {"the lock is saving power on low batteries",
        "Some locks stop listening to the hub when the batteries are under half.",
        "Replace the batteries before they fall under half."},
    [LKR_CAUSE_THREAD_MESH_LOST] = {"the lock lost its place in your home network",
        "The lock has to find its way back into your home hubs' network.", NULL},
    [LKR_CAUSE_PHONE_BLE_BUG] = {"a Bluetooth problem in your phone",
        "Your phone's Bluetooth cannot talk to the lock, while another phone can.", NULL},
    [LKR_CAUSE_WIFI_BAND_SECURITY] = {"the Wi-Fi is set up in a way the lock cannot join",
        "Locks join only 2.4 GHz Wi-Fi with WPA2 security; new routers often use WPA3 only.",
        "If the router is replaced or reset, keep WPA2 (or WPA2/WPA3) on 2.4 GHz."},
    [LKR_CAUSE_NEW_IP_ADDRESS] = {"the lock moved to a new address on your network",
        "After a restart the lock got a different address that the app cannot find.", NULL},
    [LKR_CAUSE_WEAK_SIGNAL] = {"a weak signal at the door",
        "Distance, walls or metal weaken the signal at the door.",
        "If the lock drops off again, the signal at the door is the first thing to check."},
    [LKR_CAUSE_NETWORK_CHANGED] = {"your Wi-Fi changed",
        "The Wi-Fi name or password changed, or a new router came in.",
        "When you change your Wi-Fi again, connect the lock to it again too."},
    [LKR_CAUSE_HUB_OFFLINE] = {"the hub, bridge or router is off",
        "Something the lock needs to reach the internet is itself off.", NULL},
    [LKR_CAUSE_MISSING_PERMISSIONS] = {"the app is not allowed to use Bluetooth",
        "The lock's app lacks the phone's permission to use Bluetooth or location.",
        "After a phone update, check the app's permissions again."},
    [LKR_CAUSE_OUTDATED_SOFTWARE] = {"old app or lock software",
        "The app or the lock's software is too old.", "Keep the lock's app up to date."},
    [LKR_CAUSE_NEEDS_CALIBRATION] = {"the lock lost track of its positions",
        "The lock moves but no longer knows where locked and unlocked are.", NULL},
    [LKR_CAUSE_KEYPAD_LOCKOUT] = {"a keypad lockout or holiday mode",
        "Too many wrong codes locked the keypad for a while, or holiday mode is on.", NULL},
    [LKR_CAUSE_CODE_EXPIRED] = {"the code expired or was removed",
        "The code ran out, was deleted, or is not allowed at this time.", NULL},
    [LKR_CAUSE_WRONG_CODE] = {"a mistyped code", "A digit or the length was wrong.", NULL},
    [LKR_CAUSE_KEYPAD_DAMAGE] = {"a dirty or worn keypad",
        "Dirt, damp or wear makes buttons stick.", NULL},
    [LKR_CAUSE_DOOR_MISALIGNMENT] = {"the door rubs on the bolt",
        "The bolt catches on the door frame when the door is shut.", NULL},
    [LKR_CAUSE_EXTREME_COLD] = {"the cold", "Cold slows the lock and drains batteries.",
        "In cold weather, change the batteries sooner."},
    [LKR_CAUSE_HARDWARE_FAILURE] = {"a fault inside the lock",
        "Something inside the lock is broken: the lock maker has to fix it.", NULL},
};

static const lkr_person_choice ch_update[] = {
    {"no update of the lock (or only the app or the phone updated)", LKR_UPDATE_NONE},
    {"the update is still running", LKR_UPDATE_IN_PROGRESS},
    {"it finished and the app said it worked", LKR_UPDATE_REPORTED_OK},
    {"the app said it failed, or never said it finished", LKR_UPDATE_REPORTED_FAILED},
    {"it finished, I don't know how", LKR_UPDATE_FINISHED},
    {"don't know", LKR_UPDATE_UNKNOWN},
};
static const lkr_person_choice ch_app[] = {
    {"it shows the lock normally", LKR_APP_ONLINE},
    {"\"Offline\"", LKR_APP_OFFLINE},
    {"\"No Response\"", LKR_APP_NO_RESPONSE},
    {"\"Unavailable\"", LKR_APP_UNAVAILABLE},
    {"it cannot find the lock", LKR_APP_OFFLINE},
    {"something else", LKR_APP_UNKNOWN},
    {"don't know", LKR_APP_UNKNOWN},
};
static const lkr_person_choice ch_codes[] = {
    {"every code works", LKR_CODES_ALL_WORK},
    {"one code does not work, the others do", LKR_CODES_ONE_REJECTED},
    {"no code works", LKR_CODES_ALL_REJECTED},
    {"don't know, or not tried", LKR_CODES_UNKNOWN},
};
static const lkr_person_choice ch_tri[] = {
    {"yes", LKR_YES}, {"no", LKR_NO}, {"don't know", LKR_UNKNOWN},
};

#define CHOICES(a) (uint32_t)(sizeof(a) / sizeof((a)[0])), (a)

typedef struct person_question {
    const char *title, *text;
    uint32_t count;
    const lkr_person_choice *choices;
} person_question;

static const person_question questions[LKR_QUESTION_MAX + 1] = {
    [LKR_QUESTION_UPDATE_STATE] = {"Did the lock itself get a software update just before this?",
        "The lock's app says when it updates the lock.", CHOICES(ch_update)},
    [LKR_QUESTION_UPDATE_STALLED_MIN] = {"For how many minutes has the update's progress "
        "stayed the same?", "Type a number of minutes, or press Enter if you don't know.",
        0, NULL},
    [LKR_QUESTION_KEYPAD_LIGHTS] = {"Press a button on the lock's keypad: does it light up "
        "or beep?", NULL, CHOICES(ch_tri)},
    [LKR_QUESTION_APP_STATUS] = {"What does the lock's app show for the lock?", NULL,
        CHOICES(ch_app)},
    [LKR_QUESTION_CODES_STATE] = {"Do your codes open the lock at the keypad?", NULL,
        CHOICES(ch_codes)},
    [LKR_QUESTION_LOCAL_CONTROL] = {"Standing next to the lock, can your phone lock and "
        "unlock it?", NULL, CHOICES(ch_tri)},
    [LKR_QUESTION_FIRMWARE_VERSION] = {"What software version does the app show for the "
        "lock now?", "It is in the lock's settings in the app (often called firmware). Type "
        "it as shown, or press Enter if you don't know.", 0, NULL},
    [LKR_QUESTION_SECOND_PHONE] = {"On another phone with the lock's app, signed in to your "
        "account: does it reach the lock from beside the door?", "Try to lock or unlock with "
        "it. If there is no other phone at hand, answer \"don't know\".", CHOICES(ch_tri)},
    [LKR_QUESTION_HUB_DEVICES] = {"Does the hub (or bridge) show its other devices working?",
        "Open the hub's app: lights, plugs or sensors on the same hub. If the lock is the only "
        "one, answer \"don't know\".", CHOICES(ch_tri)},
    [LKR_QUESTION_UPDATE_PENDING] = {"Is there an update waiting for the lock's app or for "
        "the lock?", "Look up the app in your phone's app store, and in the app open the "
        "lock's settings. Just look for now: do not install anything yet.", CHOICES(ch_tri)},
};

static const person_pair tiers[LKR__TIER_COUNT + 1] = {
    [LKR_TIER_TRIAGE] = {"First checks", "Making sure nothing is still running.", NULL},
    [LKR_TIER_UNIVERSAL] = {"Simple first steps", "Steps that help most locks; none erases "
        "a code.", NULL},
    [LKR_TIER_PROTOCOL] = {"The lock's connection", "Steps for the way your lock connects.",
        NULL},
    [LKR_TIER_ECOSYSTEM] = {"Your home apps", "Reconnecting the lock in the apps that use "
        "it.", NULL},
    [LKR_TIER_REPAIR] = {"Connecting the lock again", "Removing the lock from its apps and "
        "adding it back, without erasing it.", NULL},
    [LKR_TIER_RESET] = {"Factory reset", "The last resort: it erases every code, so it only "
        "happens when everything is safe.", NULL},
    [LKR_TIER_SUPPORT] = {"Getting help", "Handing over to the lock maker, with a report.",
        NULL},
    [LKR_TIER_CODE] = {"Codes that do not work", "Checks for a code the keypad refuses.",
        NULL},
};

static const person_pair symptoms[LKR__SYMPTOM_COUNT] = {
    [LKR_SYMPTOM_UNKNOWN] = {"not clear yet", NULL, NULL},
    [LKR_SYMPTOM_COMPLETELY_SILENT] = {"the lock does not react at all", NULL, NULL},
    [LKR_SYMPTOM_LOCAL_OK_APP_OFFLINE] = {"the keypad works, but the app cannot reach the "
        "lock", NULL, NULL},
    [LKR_SYMPTOM_APP_NO_RESPONSE] = {"your home app cannot reach the lock, which may still "
        "work at the door", NULL, NULL},
    [LKR_SYMPTOM_UPDATE_STALLED] = {"the update seems stuck", NULL, NULL},
    [LKR_SYMPTOM_ONE_CODE_REJECTED] = {"one code does not work, the others do", NULL, NULL},
    [LKR_SYMPTOM_ALL_CODES_REJECTED] = {"no code works, or the keypad misbehaves", NULL, NULL},
    [LKR_SYMPTOM_OFFLINE_NO_UPDATE] = {"the lock is offline, without any update", NULL, NULL},
};


static lkr_status fill(uint32_t kind, uint32_t id, lkr_person_text *t)
{
    switch (kind) {
    case LKR_TEXT_STEP:
        if (!lkr__step_id_ok(id)) return LKR_E_RANGE;
        t->title = steps[id].title;
        t->text = steps[id].text;
        t->resume = steps[id].resume;
        t->cannot = steps[id].cannot;
        t->watch = steps[id].watch;
        t->remains = steps[id].remains;
        return LKR_OK;
    case LKR_TEXT_GUARD:
        if (id < 1 || id > LKR__GUARD_COUNT) return LKR_E_RANGE;
        t->title = guards[id].title;
        t->text = guards[id].text;
        t->cannot = guards[id].extra;
        return LKR_OK;
    case LKR_TEXT_CAUSE:
        if (!lkr__cause_id_ok(id)) return LKR_E_RANGE;
        t->title = causes[id].title;
        t->text = causes[id].text;
        t->watch = causes[id].extra;
        return LKR_OK;
    case LKR_TEXT_QUESTION:
        if (id < 1 || id > LKR_QUESTION_MAX) return LKR_E_RANGE;
        t->title = questions[id].title;
        t->text = questions[id].text;
        t->choice_count = questions[id].count;
        t->choices = questions[id].choices;
        return LKR_OK;
    case LKR_TEXT_TIER:
        if (id < 1 || id > LKR__TIER_COUNT) return LKR_E_RANGE;
        t->title = tiers[id].title;
        t->text = tiers[id].text;
        return LKR_OK;
    case LKR_TEXT_SYMPTOM:
        if (id >= LKR__SYMPTOM_COUNT) return LKR_E_RANGE;
        t->title = symptoms[id].title;
        return LKR_OK;
    default:
        return LKR_E_INVAL;
    }
}

#else /* LKR_NO_TEXT: no person text; ids are still checked */

static lkr_status fill(uint32_t kind, uint32_t id, lkr_person_text *t)
{
    (void)t;
    switch (kind) {
    case LKR_TEXT_STEP: return lkr__step_id_ok(id) ? LKR_E_UNSUPPORTED : LKR_E_RANGE;
    case LKR_TEXT_GUARD: return id >= 1 && id <= LKR__GUARD_COUNT ? LKR_E_UNSUPPORTED : LKR_E_RANGE;
    case LKR_TEXT_CAUSE: return lkr__cause_id_ok(id) ? LKR_E_UNSUPPORTED : LKR_E_RANGE;
    case LKR_TEXT_QUESTION: return id >= 1 && id <= LKR_QUESTION_MAX ? LKR_E_UNSUPPORTED : LKR_E_RANGE;
    case LKR_TEXT_TIER: return id >= 1 && id <= LKR__TIER_COUNT ? LKR_E_UNSUPPORTED : LKR_E_RANGE;
    case LKR_TEXT_SYMPTOM: return id < LKR__SYMPTOM_COUNT ? LKR_E_UNSUPPORTED : LKR_E_RANGE;
    default: return LKR_E_INVAL;
    }
}

#endif /* LKR_NO_TEXT */

#define PERSON_TEXT_MIN (offsetof(lkr_person_text, choices) + sizeof(void *))

lkr_status lkr_person_text_get(uint32_t kind, uint32_t id, lkr_person_text *out)
{
    lkr_person_text t;
    lkr_status st;
    if (out == NULL || out->struct_size < PERSON_TEXT_MIN ||
        out->struct_size > LKR__STRUCT_SIZE_MAX) {
        return LKR_E_INVAL;
    }
    memset(&t, 0, sizeof t);
    t.kind = kind;
    t.id = id;
    if ((st = fill(kind, id, &t)) != LKR_OK) return st;
    return lkr__emit(out, &t, sizeof t, PERSON_TEXT_MIN);
}
