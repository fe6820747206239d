/**
 * Entry of the hall screens: `/display` (call screen, `?zone=` for one zone) and
 * `/display/window/:counterId` (one counter's window screen). The hub serves the same
 * HTML for both; the path decides.
 */
import { render } from "preact";
import "../ui-shared/shared.css";
import "./display.css";
import { CallScreen } from "./call-screen.tsx";
import { WindowScreen } from "./window-screen.tsx";
import { windowRoute } from "./window-view.ts";

const counterId = windowRoute(location.pathname);
const app = document.getElementById("app");
if (app) render(counterId !== null ? <WindowScreen counterId={counterId} /> : <CallScreen />, app);
