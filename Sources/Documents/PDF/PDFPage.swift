/// One page of a PDF as Peruse sends it: its text, or a note that it goes as an image and why.
public struct PDFPage: Sendable, Equatable {
    /// How a page reaches the model.
    public enum Route: Sendable, Equatable {
        /// Its text layer, extracted by pdftotext.
        case text
        /// A rendered image of the page, for the reason given.
        case image(ImageReason)
    }

    /// Why a page goes as an image.
    public enum ImageReason: String, Sendable, Equatable, CustomStringConvertible {
        /// No text layer: a scan or a photograph.
        case noText = "no text layer"
        /// Text that extracts as garbage (fonts without a Unicode map).
        case unreadableText = "text does not extract"
        /// Mostly pictures with little text (charts, figures, photos).
        case mostlyFigures = "mostly figures"
        /// `--pages images` asked for it.
        case requested = "asked for"

        public var description: String { rawValue }
    }

    /// 1-based page number, as cited (`[report.pdf p. 12]`).
    public var number: Int
    /// The extracted text (kept even when the page goes as an image: it is what a quote
    /// from it is checked against when there is any).
    public var text: String
    public var route: Route
    /// The page as displayed, in points.
    public var box: PDFInfo.PageBox?
    /// Share of the page covered by raster images (0 to 1; from pdfimages).
    public var imageCoverage: Double

    public init(number: Int, text: String, route: Route, box: PDFInfo.PageBox?, imageCoverage: Double) {
        self.number = number
        self.text = text
        self.route = route
        self.box = box
        self.imageCoverage = imageCoverage
    }
}
